package wagateway.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import wagateway.cloudapi.CloudApiException;
import wagateway.cloudapi.SendOutcome;
import wagateway.dispatch.SendErrorClassifier.Disposition;

/**
 * Turns what the Cloud API answered (or how the call failed) into what happens to the message.
 * Pure: time and randomness come in.
 */
final class OutcomeMapper {

    private final RetrySchedule retries;
    private final Duration pairInterval;
    private final Duration breakerWait;
    private final Duration authPause;

    OutcomeMapper(RetrySchedule retries, Duration pairInterval, Duration breakerWait, Duration authPause) {
        this.retries = retries;
        this.pairInterval = pairInterval;
        this.breakerWait = breakerWait;
        this.authPause = authPause;
    }

    Outcome answered(ClaimedMessage m, boolean useFallback, SendOutcome outcome, Instant now, RandomGenerator random) {
        if (outcome instanceof SendOutcome.Accepted a) {
            return new Outcome.Sent(m, a.wamid(), useFallback);
        }
        SendOutcome.Refused r = (SendOutcome.Refused) outcome;
        Disposition disposition = SendErrorClassifier.classify(r.code(), r.httpStatus());
        switch (disposition) {
            case TRANSIENT:
                return retryOrFail(m, r.code(), r.title(), r.details(), Duration.ZERO, now, random);
            case PAIR_RATE:
                // only this recipient is affected: wait at least the pair interval
                return retryOrFail(m, r.code(), r.title(), r.details(), pairInterval, now, random);
            case AUTH:
                // the token is the problem, not the message: keep it queued, uncounted, behind the pause
                return new Outcome.Retry(m, now.plus(authPause), false, r.code(), r.title(), r.details());
            case WINDOW_CLOSED:
                if (m.fallbackTemplate() != null && !useFallback) {
                    // the window is closed in our records in the same transaction: the next claim sends the fallback
                    return new Outcome.Retry(m, now, true, r.code(), r.title(), r.details());
                }
                return Outcome.failed(m, r, true);
            case UNDELIVERABLE:
                return Outcome.failed(m, r, true);
            case MARKETING_OPT_OUT:
            case PERMANENT:
            default:
                return Outcome.failed(m, r, SendErrorClassifier.fallbackSuggested(r.code()));
        }
    }

    Outcome failed(ClaimedMessage m, Throwable failure, Instant now, RandomGenerator random) {
        if (failure instanceof CircuitBreakerOpenException) {
            // never reached the API: no attempt spent
            return new Outcome.Retry(m, now.plus(breakerWait), false, null, "Circuit breaker open", null);
        }
        if (failure instanceof CloudApiException e) {
            return retryOrFail(m, e.code(), e.title(), e.details(), Duration.ZERO, now, random);
        }
        String title = failure instanceof TimeoutException || failure.getClass().getSimpleName().contains("Timeout")
                ? "Timeout"
                : "Connection error: " + failure.getClass().getSimpleName();
        return retryOrFail(m, null, title, null, Duration.ZERO, now, random);
    }

    /** Transient: retry with backoff while attempts remain and before expiry; else failed, or expired. */
    private Outcome retryOrFail(ClaimedMessage m, Integer code, String title, String detail, Duration minimum,
            Instant now, RandomGenerator random) {
        int attempts = m.attempts() + 1;
        if (attempts >= retries.maxAttempts()) {
            return new Outcome.Failed(m, code, title, detail, false);
        }
        return retries.next(attempts, now, m.expiresAt(), minimum, random)
                .<Outcome> map(at -> new Outcome.Retry(m, at, true, code, title, detail))
                .orElseGet(() -> new Outcome.Rejected(m, wagateway.policy.PolicyDecision.Reasons.EXPIRED, true));
    }
}
