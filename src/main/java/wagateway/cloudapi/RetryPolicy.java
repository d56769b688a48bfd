package wagateway.cloudapi;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import wagateway.cloudapi.ErrorClassifier.Disposition;
import wagateway.support.Backoff;

/**
 * The one mapping of a Cloud API call that did not succeed — an error answer, or a call that failed — to what
 * happens next: try again at a time (back-off, the sender's pause, the breaker's wait), or stop. Messages and
 * read receipts both go through it, then add what is theirs (a message's fallback template, its expiry). Pure:
 * time and randomness come in.
 */
public final class RetryPolicy {

    /** What the caller does next; code, title and detail are what the call ended with. */
    public sealed interface Verdict {
        Integer code();

        String title();

        String detail();

        /** Try again at {@code at}; {@code countAttempt} is false when the call never reached the API. */
        record Retry(Instant at, boolean countAttempt, Integer code, String title, String detail) implements Verdict {
        }

        /** Stop: the answer will not change ({@code disposition} says why), or the attempts are used up. */
        record Stop(Disposition disposition, Integer code, String title, String detail) implements Verdict {
        }

        /** A retry would fall at or after the caller's deadline. */
        record PastDeadline(Integer code, String title, String detail) implements Verdict {
        }
    }

    private final Backoff backoff;
    private final int maxAttempts;
    private final Duration breakerWait;
    private final Duration authPause;

    /**
     * @param maxAttempts attempts in all, the first one included
     * @param breakerWait how long a call the open breaker refused waits (no attempt spent)
     * @param authPause how long the sender pauses after its token was refused
     */
    public RetryPolicy(Backoff backoff, int maxAttempts, Duration breakerWait, Duration authPause) {
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
        this.breakerWait = breakerWait;
        this.authPause = authPause;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * The Cloud API answered with an error.
     *
     * @param attempts attempts made before this one
     * @param deadline no retry at or after it (a message's expiry); null for none
     * @param pairRateFloor the least wait after a pair-rate error (131056)
     */
    public Verdict refused(SendOutcome.Refused refused, int attempts, Instant deadline, Duration pairRateFloor,
            Instant now, RandomGenerator random) {
        Disposition disposition = ErrorClassifier.classify(refused.code(), refused.httpStatus());
        return switch (disposition) {
            case TRANSIENT -> retryOrStop(refused.code(), refused.title(), refused.details(), Duration.ZERO,
                    attempts, deadline, now, random);
            case PAIR_RATE -> retryOrStop(refused.code(), refused.title(), refused.details(), pairRateFloor,
                    attempts, deadline, now, random);
            // the token is the problem, not the message: wait behind the sender's pause, uncounted
            case AUTH -> new Verdict.Retry(now.plus(authPause), false, refused.code(), refused.title(),
                    refused.details());
            default -> new Verdict.Stop(disposition, refused.code(), refused.title(), refused.details());
        };
    }

    /**
     * The call failed without an answer about the message (breaker open, timeout, connection error, an API
     * health error).
     *
     * @param unknownOutcomeWait the least wait after a call that may have reached the API all the same (a
     *        timeout, a connection lost mid-exchange): long enough for Meta's status webhook,
     *        which carries our id, to say it arrived — sending again sooner risks a duplicate
     */
    public Verdict failed(Throwable failure, int attempts, Instant deadline, Duration unknownOutcomeWait, Instant now,
            RandomGenerator random) {
        if (failure instanceof CircuitBreakerOpenException) {
            // never reached the API: no attempt spent
            return new Verdict.Retry(now.plus(breakerWait), false, null, "Circuit breaker open", null);
        }
        if (failure instanceof CloudApiException e) {
            return retryOrStop(e.code(), e.title(), e.details(), Duration.ZERO, attempts, deadline, now, random);
        }
        if (!mayHaveArrived(failure)) {
            return retryOrStop(null, "Connection error: " + failure.getClass().getSimpleName(), null, Duration.ZERO,
                    attempts, deadline, now, random);
        }
        String title = isTimeout(failure) ? "Timeout" : "Connection lost: " + failure.getClass().getSimpleName();
        return retryOrStop(null, title, null, unknownOutcomeWait, attempts, deadline, now, random);
    }

    /**
     * Whether a failed call may have reached the API: everything but a connection never made (refused, a
     * connect timeout, an unknown host), after which the request certainly did not leave.
     */
    static boolean mayHaveArrived(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getSimpleName();
            if (t instanceof ConnectException || t instanceof UnknownHostException || name.equals("ConnectTimeoutException")) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTimeout(Throwable failure) {
        return failure instanceof TimeoutException || failure.getClass().getSimpleName().contains("Timeout");
    }

    private Verdict retryOrStop(Integer code, String title, String detail, Duration floor, int attempts,
            Instant deadline, Instant now, RandomGenerator random) {
        int made = attempts + 1;
        if (made >= maxAttempts) {
            return new Verdict.Stop(Disposition.TRANSIENT, code, title, detail);
        }
        Duration delay = backoff.delay(made, random);
        Instant at = now.plus(delay.compareTo(floor) < 0 ? floor : delay);
        if (deadline != null && !at.isBefore(deadline)) {
            return new Verdict.PastDeadline(code, title, detail);
        }
        return new Verdict.Retry(at, true, code, title, detail);
    }
}
