package wagateway.webhook;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Forged webhooks log at most one line a minute, and the next line says how many went unlogged. */
class RefusalLogTest {

    @Test
    void oneLineAMinuteCountingTheRest() {
        AtomicLong nanos = new AtomicLong(123_456_789L);
        RefusalLog log = new RefusalLog(Duration.ofMinutes(1), nanos::get);

        assertEquals(0, log.refused());
        for (int i = 0; i < 1_000; i++) {
            nanos.addAndGet(Duration.ofMillis(50).toNanos());
            assertEquals(-1, log.refused());
        }
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        assertEquals(1_000, log.refused());
        assertEquals(-1, log.refused());
    }
}
