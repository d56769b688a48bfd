package wagateway.throttle;

import java.time.Duration;

/**
 * Rule 3 as Meta meters it: at most {@code limit} requests <em>arriving</em> at the Cloud API in any one-second
 * window. A send departs only when the {@code limit} departures before it all lie more than {@code 1 s + margin}
 * back; departures are counted when they really happen, so a late timer or a busy event loop never lets a backlog
 * out at once.
 * <p>
 * Why that holds at the API: at most {@code limit} departures fall in any window of {@code 1 s + margin}. A
 * request arrives some delay after it departs, the delay varying by at most {@code J} (the network, the far
 * side's scheduling); the arrivals of any one-second window departed within {@code 1 s + J}. So while
 * {@code J ≤ margin}, no second at the API sees more than {@code limit} arrivals — and a sender sustains
 * {@code limit / (1 + margin)} per second, not {@code limit / (1 s + answer latency)} as when a slot was held
 * until a second after the answer.
 * <p>
 * Departures also take a token from a bucket refilled at that sustained rate and holding a fiftieth of a second's
 * worth (20 ms, at least 4 sends): Meta sees a stream rather than a burst at each second, and a late timer is caught up at
 * once. A
 * larger burst bunches requests at the far end, which widens their arrival jitter (measured: a burst of 100 at
 * 1,000 mps put 1,059 arrivals in one second at the sandbox).
 * <p>
 * Pure and thread-safe: time comes in as monotonic nanoseconds ({@link System#nanoTime()}), so a wall clock that
 * steps, or a test that moves the application clock, cannot stall or release a sender. Across replicas it is
 * exact because a sender is driven by one replica at a time (a PostgreSQL lease); a released lease stays
 * unclaimable for a second, so a hand-over cannot double the rate.
 */
public final class SendPacer {

    private static final long SECOND = 1_000_000_000L;

    private final int limit;
    /** {@code 1 s + margin}: the window in which at most {@code limit} depart. */
    private final long window;
    private final long interval;
    private final double burst;
    private double tokens;
    private long refilledAt;
    /** The last {@code limit} departures, oldest at {@link #oldest}. */
    private final long[] departed;
    private int oldest;
    private int count;

    /**
     * @param limit requests per second at the API ({@code gateway.senders.<name>.messages-per-second})
     * @param margin the arrival jitter tolerated ({@code gateway.dispatch.rate-safety-margin})
     */
    public SendPacer(int limit, Duration margin) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.limit = limit;
        this.window = SECOND + margin.toNanos();
        this.interval = Math.max(1, window / limit);
        this.burst = Math.max(4, limit / 50);
        this.tokens = burst;
        this.departed = new long[limit];
    }

    /**
     * Records a send departing now, if it may.
     *
     * @return 0 when it departs now (recorded), else how many nanoseconds until it may
     */
    public synchronized long depart(long now) {
        if (count > 0 && now > refilledAt) {
            tokens = Math.min(burst, tokens + (double) (now - refilledAt) / interval);
        }
        refilledAt = Math.max(refilledAt, now);
        long wait = tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) * interval);
        if (count == limit) {
            wait = Math.max(wait, departed[oldest] + window - now);
        }
        if (wait > 0) {
            return wait;
        }
        tokens -= 1;
        departed[oldest] = now;
        oldest = (oldest + 1) % limit;
        count = Math.min(limit, count + 1);
        return 0;
    }

    /**
     * How many more sends to plan now: about as many as can depart within {@code lookahead} at the sustained
     * rate, less the {@code waiting} ones already planned and not departed.
     */
    public int available(Duration lookahead, int waiting) {
        long plan = lookahead.toNanos() / interval + 1;
        return (int) Math.max(0, Math.min(limit, plan - waiting));
    }

    /** Nanoseconds until {@link #available} is at least one, given {@code waiting} planned sends. */
    public long untilAvailable(Duration lookahead, int waiting) {
        long excess = waiting + 1 - (lookahead.toNanos() / interval + 1);
        return excess <= 0 ? 0 : excess * interval;
    }

    public int limit() {
        return limit;
    }

    /** The spacing of two sends at the sustained rate. */
    public Duration interval() {
        return Duration.ofNanos(interval);
    }
}
