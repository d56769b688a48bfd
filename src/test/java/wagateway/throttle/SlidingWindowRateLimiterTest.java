package wagateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class SlidingWindowRateLimiterTest {

    static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    void neverMoreThanTheLimitInAnySlidingSecond() {
        var limiter = new SlidingWindowRateLimiter(80, Duration.ofSeconds(1));
        assertThat(limiter.available(T0)).isEqualTo(80);
        limiter.record(T0, 50);
        limiter.record(T0.plusMillis(500), 30);
        assertThat(limiter.available(T0.plusMillis(999))).isZero();
        assertThat(limiter.nextAvailable(T0.plusMillis(999))).isEqualTo(T0.plusSeconds(1));
        // the first 50 leave the window at T0+1s; the 30 later ones stay until T0+1.5s
        assertThat(limiter.available(T0.plusSeconds(1))).isEqualTo(50);
        assertThat(limiter.available(T0.plusMillis(1500))).isEqualTo(80);
    }

    @Test
    void refusesToRecordOverTheLimit() {
        var limiter = new SlidingWindowRateLimiter(3, Duration.ofSeconds(1));
        limiter.record(T0, 3);
        assertThatThrownBy(() -> limiter.record(T0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void saysNowWhenThereIsRoom() {
        var limiter = new SlidingWindowRateLimiter(1000, Duration.ofSeconds(1));
        assertThat(limiter.nextAvailable(T0)).isEqualTo(T0);
    }
}
