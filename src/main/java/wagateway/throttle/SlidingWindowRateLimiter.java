package wagateway.throttle;

import java.time.Duration;
import java.time.Instant;

/**
 * At most {@code limit} sends in any sliding window of {@code window} (one second for Meta's
 * messages-per-second). Never sleeps: it says how many may go now, or when the next one may. Not
 * thread-safe by itself: each sender is driven by one dispatcher loop at a time.
 *
 * <p>Across replicas it is exact because a sender is driven by one replica at a time (a PostgreSQL
 * lease). A released lease stays unclaimable for one window, so a hand-over cannot double the rate.
 */
public final class SlidingWindowRateLimiter {

    private final int limit;
    private final long windowNanos;
    private final long[] sends; // ring buffer of the last `limit` send times (nanos since epoch)
    private int head; // index of the oldest
    private int size;

    public SlidingWindowRateLimiter(int limit, Duration window) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.sends = new long[limit];
    }

    /** How many sends may start now. */
    public int available(Instant now) {
        expire(nanos(now));
        return limit - size;
    }

    /** Records {@code count} sends made now; {@code count} must not exceed {@link #available}. */
    public void record(Instant now, int count) {
        long t = nanos(now);
        expire(t);
        if (count > limit - size) {
            throw new IllegalStateException("over the rate limit: " + count + " > " + (limit - size));
        }
        for (int i = 0; i < count; i++) {
            sends[(head + size) % limit] = t;
            size++;
        }
    }

    /** When the next send may start (now if one may). */
    public Instant nextAvailable(Instant now) {
        long t = nanos(now);
        expire(t);
        if (size < limit) {
            return now;
        }
        long at = sends[head] + windowNanos;
        return Instant.ofEpochSecond(0, at);
    }

    public int limit() {
        return limit;
    }

    private void expire(long now) {
        while (size > 0 && sends[head] + windowNanos <= now) {
            head = (head + 1) % limit;
            size--;
        }
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
