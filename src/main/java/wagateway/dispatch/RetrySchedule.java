package wagateway.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter for transient failures (doubling from the initial delay up to a
 * cap), bounded by the message's expiry and a maximum number of attempts. Pure: the caller passes the
 * time and the randomness.
 */
public final class RetrySchedule {

    private final Duration initial;
    private final Duration max;
    private final int maxAttempts;

    public RetrySchedule(Duration initial, Duration max, int maxAttempts) {
        this.initial = initial;
        this.max = max;
        this.maxAttempts = maxAttempts;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * @param attempts attempts made so far (1 after the first failure)
     * @param minimum a floor for the delay (e.g. the pair interval after 131056)
     * @return when to try again, or empty when the message must fail (attempts used up, or past expiry)
     */
    public Optional<Instant> next(int attempts, Instant now, Instant expiresAt, Duration minimum, RandomGenerator random) {
        if (attempts >= maxAttempts) {
            return Optional.empty();
        }
        long ceiling = initial.toMillis() << Math.min(Math.max(attempts - 1, 0), 30);
        ceiling = Math.min(ceiling <= 0 ? max.toMillis() : ceiling, max.toMillis());
        // "equal jitter": half fixed, half random, so retries spread without collapsing to zero
        long delay = ceiling / 2 + random.nextLong(ceiling / 2 + 1);
        delay = Math.max(delay, minimum.toMillis());
        Instant at = now.plusMillis(delay);
        if (expiresAt != null && !at.isBefore(expiresAt)) {
            return Optional.empty();
        }
        return Optional.of(at);
    }
}
