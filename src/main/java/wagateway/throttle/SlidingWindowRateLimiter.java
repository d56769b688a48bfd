package wagateway.throttle;

import java.time.Duration;
import java.time.Instant;

/**
 * At most {@code limit} sends in any sliding window of {@code window} (one second for Meta's
 * messages-per-second), <em>as the API sees them</em>. Never sleeps: it says how many may start now, or
 * when the next may.
 *
 * <p>
 * The API sees a request somewhere between the moment we start it and the moment its answer comes
 * back, so a send holds its slot from its start until one window after its answer. Counting from the
 * start alone lets network jitter bunch two windows' worth of requests into one at the API (measured:
 * 40 arrivals in one second with a limit of 20, when the first batch was slow to arrive).
 *
 * <p>
 * Across replicas it is exact because a sender is driven by one replica at a time (a PostgreSQL
 * lease). A released lease stays unclaimable for one window, so a hand-over cannot double the rate.
 * Thread-safe: answers complete on any event-loop thread.
 */
public final class SlidingWindowRateLimiter {

    private static final long IN_FLIGHT = Long.MAX_VALUE;

    private final long windowNanos;
    private final long[] busyUntil; // per slot: free when <= now; IN_FLIGHT while the request is out

    public SlidingWindowRateLimiter(int limit, Duration window) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.windowNanos = window.toNanos();
        this.busyUntil = new long[limit];
    }

    /** How many sends may start now. */
    public synchronized int available(Instant now) {
        long t = nanos(now);
        int free = 0;
        for (long until : busyUntil) {
            if (until <= t) {
                free++;
            }
        }
        return free;
    }

    /**
     * Takes {@code count} free slots for sends starting now.
     *
     * @return the slot of each send, to hand back to {@link #completed}
     * @throws IllegalStateException when fewer slots are free
     */
    public synchronized int[] acquire(Instant now, int count) {
        long t = nanos(now);
        int[] slots = new int[count];
        int taken = 0;
        for (int i = 0; i < busyUntil.length && taken < count; i++) {
            if (busyUntil[i] <= t) {
                busyUntil[i] = IN_FLIGHT;
                slots[taken++] = i;
            }
        }
        if (taken < count) {
            for (int k = 0; k < taken; k++) {
                busyUntil[slots[k]] = t; // give them back
            }
            throw new IllegalStateException("over the rate limit: " + count + " > " + taken);
        }
        return slots;
    }

    /** The answer to the send in {@code slot} came back at {@code at}: the slot frees one window later. */
    public synchronized void completed(int slot, Instant at) {
        busyUntil[slot] = nanos(at) + windowNanos;
    }

    /** When the next send may start: now if one may; null while every slot waits for an answer. */
    public synchronized Instant nextAvailable(Instant now) {
        long t = nanos(now);
        long earliest = IN_FLIGHT;
        for (long until : busyUntil) {
            if (until <= t) {
                return now;
            }
            earliest = Math.min(earliest, until);
        }
        return earliest == IN_FLIGHT ? null : Instant.ofEpochSecond(0, earliest);
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
