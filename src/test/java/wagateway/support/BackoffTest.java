package wagateway.support;

import java.time.Duration;
import java.util.Random;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(15));

    /** Always the lowest draw. */
    static final RandomGenerator LOWEST = () -> 0L;

    /** Always the highest draw. */
    static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    @Test
    void doublesPerAttemptWithinHalfAndAllOfIt() {
        assertEquals(Duration.ofMillis(2500), backoff.delay(1, LOWEST));
        assertEquals(Duration.ofSeconds(5), backoff.delay(1, HIGHEST));
        assertEquals(Duration.ofSeconds(5), backoff.delay(2, LOWEST));
        assertEquals(Duration.ofSeconds(10), backoff.delay(2, HIGHEST));
        assertEquals(Duration.ofSeconds(20), backoff.delay(3, HIGHEST));
    }

    @Test
    void isCappedAtTheMaximum() {
        assertEquals(Duration.ofMinutes(15), backoff.delay(12, HIGHEST));
        assertEquals(Duration.ofMinutes(15), backoff.delay(1_000, HIGHEST));
        assertEquals(Duration.ofMillis(450_000), backoff.delay(1_000, LOWEST));
    }

    @Test
    void spreadsWithinTheBoundsForEveryAttempt() {
        Backoff retries = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));
        Random random = new Random(42);
        for (int attempt = 1; attempt <= 12; attempt++) {
            long ceiling = Math.min(1000L << (attempt - 1), 300_000L);
            assertThat(retries.delay(attempt, random).toMillis()).isBetween(ceiling / 2, ceiling);
        }
    }
}
