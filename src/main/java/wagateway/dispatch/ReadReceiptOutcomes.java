package wagateway.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import wagateway.cloudapi.CloudApiException;
import wagateway.cloudapi.SendOutcome;
import wagateway.dispatch.ReadReceipts.Claimed;
import wagateway.dispatch.ReadReceipts.Result;

/**
 * What the Cloud API's answer to a read receipt means for its row, with the send path's rules
 * ({@link SendErrorClassifier}, {@link RetrySchedule}): transient → retry with backoff while attempts
 * remain; 190/0 → kept, uncounted, behind the sender's pause; anything else → failed with the code. Pure.
 */
final class ReadReceiptOutcomes {

    private final RetrySchedule retries;
    private final Duration breakerWait;
    private final Duration authPause;

    ReadReceiptOutcomes(RetrySchedule retries, Duration breakerWait, Duration authPause) {
        this.retries = retries;
        this.breakerWait = breakerWait;
        this.authPause = authPause;
    }

    Result answered(Claimed r, SendOutcome outcome, Instant now, RandomGenerator random) {
        if (outcome instanceof SendOutcome.Accepted) {
            return new Result.Sent(r);
        }
        SendOutcome.Refused refused = (SendOutcome.Refused) outcome;
        switch (SendErrorClassifier.classify(refused.code(), refused.httpStatus())) {
            case TRANSIENT:
            case PAIR_RATE:
                return retryOrFail(r, refused.code(), refused.title(), now, random);
            case AUTH:
                // the token is the problem, not the receipt: it waits behind the sender's pause, uncounted
                return new Result.Retry(r, now.plus(authPause), false, refused.code(), refused.title());
            default:
                // an unknown or foreign wamid, a bad parameter: asking again gets the same answer
                return new Result.Failed(r, refused.code(), refused.title());
        }
    }

    Result failed(Claimed r, Throwable failure, Instant now, RandomGenerator random) {
        if (failure instanceof CircuitBreakerOpenException) {
            return new Result.Retry(r, now.plus(breakerWait), false, null, "Circuit breaker open");
        }
        if (failure instanceof CloudApiException e) {
            return retryOrFail(r, e.code(), e.title(), now, random);
        }
        String title = failure instanceof TimeoutException || failure.getClass().getSimpleName().contains("Timeout")
                ? "Timeout"
                : "Connection error: " + failure.getClass().getSimpleName();
        return retryOrFail(r, null, title, now, random);
    }

    /** A read receipt has no expiry of its own: the attempts bound it. */
    private Result retryOrFail(Claimed r, Integer code, String title, Instant now, RandomGenerator random) {
        return retries.next(r.attempts() + 1, now, null, Duration.ZERO, random)
                .<Result> map(at -> new Result.Retry(r, at, true, code, title))
                .orElseGet(() -> new Result.Failed(r, code, title));
    }
}
