package wagateway.event;

import java.time.Duration;

/**
 * Delay before the next delivery attempt: exponential from {@code initial}, capped at {@code max}, with
 * "equal jitter" (between half and all of it) so that many events failing together do not retry together.
 * Pure.
 */
public record CallbackBackoff(Duration initial, Duration max) {

    /**
     * @param failedAttempts attempts made so far (1 after the first failure)
     * @param random a number in [0, 1)
     */
    public Duration delay(int failedAttempts, double random) {
        long initialMs = Math.max(1, initial.toMillis());
        int doublings = Math.min(Math.max(failedAttempts - 1, 0), 30);
        long exponential = Math.min(max.toMillis(), initialMs << doublings);
        long half = exponential / 2;
        return Duration.ofMillis(half + (long) ((exponential - half) * random));
    }
}
