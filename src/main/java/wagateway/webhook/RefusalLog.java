package wagateway.webhook;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per interval for refused (forged) webhooks: anyone can POST to the public webhook URL,
 * and a line per request would let them flood the log. The refusals in between are only counted (and the
 * metric {@code wagateway_webhooks_received_total{outcome="unauthorized"}} counts every one).
 */
final class RefusalLog {

    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private final AtomicLong nextLineAt;
    private final AtomicLong unlogged = new AtomicLong();

    RefusalLog(Duration interval, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.intervalNanos = interval.toNanos();
        this.nextLineAt = new AtomicLong(nanoTime.getAsLong());
    }

    /**
     * A refusal happened.
     *
     * @return -1 when it must not be logged; otherwise it may, and the value is how many refusals went unlogged
     *         since the last line
     */
    long refused() {
        long now = nanoTime.getAsLong();
        long next = nextLineAt.get();
        if (now - next >= 0 && nextLineAt.compareAndSet(next, now + intervalNanos)) {
            return unlogged.getAndSet(0);
        }
        unlogged.incrementAndGet();
        return -1;
    }
}
