package wagateway.support;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The one back-off of the gateway (message and read-receipt retries, callback deliveries, stored webhooks
 * that failed to apply): exponential from {@code initial}, doubling per failed attempt up to {@code max}, with
 * "equal jitter" — half fixed, half random — so that many failing together do not retry together, and no delay
 * collapses to zero. Pure: the caller passes the randomness.
 */
public record Backoff(Duration initial, Duration max) {

    /**
     * @param failedAttempts attempts made so far (1 after the first failure)
     * @return the delay before the next attempt, in [ceiling / 2, ceiling]
     */
    public Duration delay(int failedAttempts, RandomGenerator random) {
        long ceiling = ceilingMillis(failedAttempts);
        long half = ceiling / 2;
        return Duration.ofMillis(half + random.nextLong(ceiling - half + 1));
    }

    /** The un-jittered delay: {@code initial × 2^(failedAttempts − 1)}, capped at {@code max}. */
    long ceilingMillis(int failedAttempts) {
        long initialMs = Math.max(1, initial.toMillis());
        int doublings = Math.min(Math.max(failedAttempts - 1, 0), 30);
        return Math.min(Math.max(1, max.toMillis()), initialMs << doublings);
    }
}
