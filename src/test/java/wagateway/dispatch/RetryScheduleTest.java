package wagateway.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryScheduleTest {

    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    final RetrySchedule schedule = new RetrySchedule(Duration.ofSeconds(1), Duration.ofMinutes(5), 10);

    @Test
    void backsOffExponentiallyWithJitterUpToTheCap() {
        Random random = new Random(42);
        for (int attempt = 1; attempt <= 9; attempt++) {
            long ceiling = Math.min(1000L << (attempt - 1), 300_000L);
            Duration delay = Duration.between(NOW, schedule.next(attempt, NOW, null, Duration.ZERO, random).orElseThrow());
            assertThat(delay.toMillis()).isBetween(ceiling / 2, ceiling);
        }
    }

    @Test
    void stopsWhenAttemptsAreUsedUp() {
        assertThat(schedule.next(10, NOW, null, Duration.ZERO, new Random(1))).isEmpty();
    }

    @Test
    void neverPlansARetryAtOrAfterExpiry() {
        assertThat(schedule.next(5, NOW, NOW.plusSeconds(2), Duration.ZERO, new Random(1))).isEmpty();
        assertThat(schedule.next(1, NOW, NOW.plusSeconds(60), Duration.ZERO, new Random(1))).isPresent();
    }

    @Test
    void honoursAMinimumDelay() {
        Instant at = schedule.next(1, NOW, null, Duration.ofSeconds(6), new Random(1)).orElseThrow();
        assertThat(Duration.between(NOW, at)).isGreaterThanOrEqualTo(Duration.ofSeconds(6));
    }
}
