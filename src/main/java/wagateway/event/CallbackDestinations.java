package wagateway.event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

import wagateway.support.Backoff;

/**
 * What this replica knows about each callback destination (scheme, host and port of a callback URL): how many
 * deliveries to it are in flight, and whether it is failing. The claim asks {@link #limits} which destinations
 * can take fewer than their share, and takes no more of their events than that, so a slow or failing
 * destination holds only its own events.
 *
 * <p>
 * A destination takes up to {@code max-concurrency-per-destination} deliveries at once. After
 * {@value #FAILURES_BEFORE_PAUSE} failed deliveries in a row it is paused for a back-off ({@link Backoff},
 * from {@code destination-initial-backoff}, doubling per failed probe up to {@code destination-max-backoff}),
 * then takes a single delivery (a probe): its success ends the pause, its failure starts a longer one.
 * Failures of deliveries that were already in flight when the pause began do not lengthen it.
 *
 * <p>
 * In memory and per replica, on the monotonic clock (a pause is about real time, whatever the wall clock
 * does). Healthy idle destinations are forgotten at once, failing ones after a while without attempts: the
 * map holds only destinations that matter now. Thread-safe: one lock, every operation is a few field updates.
 */
final class CallbackDestinations {

    static final int FAILURES_BEFORE_PAUSE = 3;

    /** A change worth a log line. */
    enum Change {
        NONE,
        /** Paused after failing {@value #FAILURES_BEFORE_PAUSE} times in a row. */
        PAUSED,
        /** A probe failed: paused again, for longer. */
        PAUSED_AGAIN,
        /** Acknowledged after a pause. */
        RECOVERED
    }

    /** Destinations that can take fewer deliveries than {@code max} now, and how many (0: none). */
    record Limits(List<String> destinations, List<Integer> free) {
    }

    private static final class State {
        int active;
        int failures;
        int pauses;
        long pausedUntil;
        long touched;
    }

    private final int maxConcurrency;
    private final Backoff backoff;
    private final long forgetAfterNanos;
    private final LongSupplier nanoTime;
    private final Map<String, State> states = new HashMap<>();

    CallbackDestinations(int maxConcurrency, Duration initialBackoff, Duration maxBackoff, LongSupplier nanoTime) {
        this.maxConcurrency = maxConcurrency;
        this.backoff = new Backoff(initialBackoff, maxBackoff);
        this.forgetAfterNanos = maxBackoff.multipliedBy(2).plusMinutes(1).toNanos();
        this.nanoTime = nanoTime;
    }

    int maxConcurrency() {
        return maxConcurrency;
    }

    /** The destinations that cannot take {@code max-concurrency-per-destination} more deliveries now. */
    synchronized Limits limits() {
        long now = nanoTime.getAsLong();
        List<String> destinations = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        for (Iterator<Map.Entry<String, State>> it = states.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, State> entry = it.next();
            State state = entry.getValue();
            if (state.active == 0 && now - state.touched > forgetAfterNanos) {
                it.remove();
                continue;
            }
            int room = free(state, now);
            if (room < maxConcurrency) {
                destinations.add(entry.getKey());
                free.add(room);
            }
        }
        return new Limits(destinations, free);
    }

    /** How many more deliveries {@code destination} takes now. */
    synchronized int free(String destination) {
        State state = states.get(destination);
        return state == null ? maxConcurrency : free(state, nanoTime.getAsLong());
    }

    /** A delivery to {@code destination} starts. */
    synchronized void started(String destination) {
        State state = states.computeIfAbsent(destination, d -> new State());
        state.active++;
        state.touched = nanoTime.getAsLong();
    }

    /** A delivery to {@code destination} ended: acknowledged or not. */
    synchronized Change finished(String destination, boolean acknowledged) {
        State state = states.get(destination);
        if (state == null) { // not started here: nothing to account
            return Change.NONE;
        }
        long now = nanoTime.getAsLong();
        state.active = Math.max(0, state.active - 1);
        state.touched = now;
        Change change = Change.NONE;
        if (acknowledged) {
            if (state.failures >= FAILURES_BEFORE_PAUSE) {
                change = Change.RECOVERED;
            }
            state.failures = 0;
            state.pauses = 0;
            state.pausedUntil = 0;
        } else {
            state.failures++;
            if (state.failures >= FAILURES_BEFORE_PAUSE && !pausedAt(state, now)) {
                state.pauses++;
                state.pausedUntil = now + backoff.delay(state.pauses, ThreadLocalRandom.current()).toNanos();
                change = state.pauses == 1 ? Change.PAUSED : Change.PAUSED_AGAIN;
            }
        }
        if (state.active == 0 && state.failures == 0) {
            states.remove(destination);
        }
        return change;
    }

    /** Destinations paused now. */
    synchronized int paused() {
        long now = nanoTime.getAsLong();
        return (int) states.values().stream().filter(s -> s.failures >= FAILURES_BEFORE_PAUSE && pausedAt(s, now))
                .count();
    }

    /** How long {@code destination} stays paused from now; zero when it is not. */
    synchronized Duration pausedFor(String destination) {
        State state = states.get(destination);
        long now = nanoTime.getAsLong();
        return state == null || !pausedAt(state, now) ? Duration.ZERO : Duration.ofNanos(state.pausedUntil - now);
    }

    private int free(State state, long now) {
        if (state.failures >= FAILURES_BEFORE_PAUSE) {
            return pausedAt(state, now) ? 0 : Math.max(0, 1 - state.active);
        }
        return Math.max(0, maxConcurrency - state.active);
    }

    private static boolean pausedAt(State state, long now) {
        return state.pauses > 0 && now - state.pausedUntil < 0;
    }
}
