package wagateway.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

import wagateway.cloudapi.ErrorClassifier;
import wagateway.cloudapi.ErrorClassifier.Disposition;
import wagateway.cloudapi.RetryPolicy;
import wagateway.cloudapi.RetryPolicy.Verdict;
import wagateway.cloudapi.SendOutcome;
import wagateway.message.ClaimedMessage;
import wagateway.message.Outcome;
import wagateway.policy.PolicyDecision;

/**
 * Turns what the Cloud API answered (or how the call failed) into what happens to the message: the shared
 * {@link RetryPolicy}, plus what is a message's own — its expiry, its fallback template after a 131047, and
 * whether another channel could reach the customer. Pure: time and randomness come in.
 */
final class OutcomeMapper {

    private final RetryPolicy retries;
    private final Duration pairInterval;
    private final Duration unknownOutcomeWait;

    OutcomeMapper(RetryPolicy retries, Duration pairInterval, Duration unknownOutcomeWait) {
        this.retries = retries;
        this.pairInterval = pairInterval;
        this.unknownOutcomeWait = unknownOutcomeWait;
    }

    Outcome answered(ClaimedMessage m, boolean useFallback, SendOutcome outcome, Instant now, RandomGenerator random) {
        if (outcome instanceof SendOutcome.Accepted a) {
            return new Outcome.Sent(m, a.wamid(), useFallback);
        }
        SendOutcome.Refused r = (SendOutcome.Refused) outcome;
        Verdict verdict = retries.refused(r, m.attempts(), m.expiresAt(), pairInterval, now, random);
        if (verdict instanceof Verdict.Stop stop && stop.disposition() == Disposition.WINDOW_CLOSED
                && m.fallbackTemplate() != null && !useFallback) {
            // the window is closed in our records in the same transaction: the next claim sends the fallback
            return new Outcome.Retry(m, now, true, r.code(), r.title(), r.details());
        }
        return outcome(m, verdict);
    }

    Outcome failed(ClaimedMessage m, Throwable failure, Instant now, RandomGenerator random) {
        // a call that may have arrived waits for Meta's webhook (it carries our id) before it is sent again
        return outcome(m, retries.failed(failure, m.attempts(), m.expiresAt(), unknownOutcomeWait, now, random));
    }

    private static Outcome outcome(ClaimedMessage m, Verdict verdict) {
        if (verdict instanceof Verdict.Retry retry) {
            return new Outcome.Retry(m, retry.at(), retry.countAttempt(), retry.code(), retry.title(), retry.detail());
        }
        if (verdict instanceof Verdict.PastDeadline) {
            return new Outcome.Rejected(m, PolicyDecision.Reasons.EXPIRED, true);
        }
        Verdict.Stop stop = (Verdict.Stop) verdict;
        boolean fallbackSuggested = switch (stop.disposition()) {
            case WINDOW_CLOSED, UNDELIVERABLE -> true;
            // attempts used up on a transient error: no other channel is suggested
            case TRANSIENT -> false;
            default -> ErrorClassifier.fallbackSuggested(stop.code());
        };
        return new Outcome.Failed(m, stop.code(), stop.title(), stop.detail(), fallbackSuggested);
    }
}
