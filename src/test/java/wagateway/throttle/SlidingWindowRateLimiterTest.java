package wagateway.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlidingWindowRateLimiterTest {

    static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    void aSlotIsHeldFromTheStartUntilOneWindowAfterTheAnswer() {
        var limiter = new SlidingWindowRateLimiter(3, Duration.ofSeconds(1));
        int[] slots = limiter.acquire(T0, 3);
        assertThat(limiter.available(T0.plusSeconds(5))).as("still in flight").isZero();
        assertThat(limiter.nextAvailable(T0.plusSeconds(5))).isNull();
        // answers come back 200 ms later: the API saw the requests some time in between
        for (int slot : slots) {
            limiter.completed(slot, T0.plusMillis(200));
        }
        assertThat(limiter.available(T0.plusMillis(1199))).isZero();
        assertThat(limiter.nextAvailable(T0.plusMillis(1199))).isEqualTo(T0.plusMillis(1200));
        assertThat(limiter.available(T0.plusMillis(1200))).isEqualTo(3);
    }

    @Test
    void neverMoreThanTheLimitInAnyWindowAtTheApiWhateverTheLatency() {
        // the API sees a request at some instant between its start and its answer; count every request
        // whose [start, answer] interval touches a one-second window: that bounds any possible arrival order
        int limit = 20;
        var limiter = new SlidingWindowRateLimiter(limit, Duration.ofSeconds(1));
        List<Instant[]> requests = new ArrayList<>();
        Instant now = T0;
        Random random = new Random(7);
        for (int round = 0; round < 400; round++) {
            int free = limiter.available(now);
            if (free > 0) {
                int[] slots = limiter.acquire(now, 1 + random.nextInt(free));
                for (int slot : slots) {
                    Instant answer = now.plusMillis(random.nextInt(400));
                    limiter.completed(slot, answer);
                    requests.add(new Instant[] { now, answer });
                }
            }
            now = now.plusMillis(25);
        }
        assertThat(requests.size()).as("the limiter let traffic through").isGreaterThan(limit * 5);
        List<Instant> windowStarts = new ArrayList<>();
        requests.forEach(r -> {
            windowStarts.add(r[0]);
            windowStarts.add(r[1]);
        });
        for (Instant w : windowStarts) {
            long touching = requests.stream()
                    .filter(r -> !r[1].isBefore(w) && r[0].isBefore(w.plusSeconds(1)))
                    .count();
            assertThat(touching).as("requests that may reach the API in [%s, +1s)", w).isLessThanOrEqualTo(limit);
        }
    }

    @Test
    void refusesToAcquireMoreThanIsFree() {
        var limiter = new SlidingWindowRateLimiter(3, Duration.ofSeconds(1));
        limiter.acquire(T0, 2);
        assertThatThrownBy(() -> limiter.acquire(T0, 2)).isInstanceOf(IllegalStateException.class);
        assertThat(limiter.available(T0)).isEqualTo(1);
    }

    @Test
    void saysNowWhenThereIsRoom() {
        var limiter = new SlidingWindowRateLimiter(1000, Duration.ofSeconds(1));
        assertThat(limiter.nextAvailable(T0)).isEqualTo(T0);
    }
}
