package wagateway.event;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

import wagateway.support.Backoff;

/**
 * What this replica knows about each callback destination (scheme, host and port of a callback URL): its
 * deliveries in flight, the claimed events waiting for one of its slots, and whether it is failing. The claim
 * asks {@link #limits} which destinations have less room than a whole window and takes no more of their events
 * than that, so a slow or failing destination holds only its own events.
 *
 * <p>
 * A destination has {@code max-concurrency-per-destination} deliveries in flight at most, and as many claimed
 * events waiting behind them (its window is twice that): when a delivery ends the next one starts at once,
 * without waiting for a claim. After {@value #FAILURES_BEFORE_PAUSE} failed deliveries in a row it is paused
 * for a back-off ({@link Backoff}, from {@code destination-initial-backoff}, doubling per failed probe up to
 * {@code destination-max-backoff}); its waiting events are handed back unattempted (so is an event that waited
 * too long for a slot). Once the pause has passed
 * it takes a single delivery (a probe): a success ends the pause, a failure starts a longer one. Failures of
 * deliveries that were already in flight when the pause began do not lengthen it.
 *
 * <p>
 * In memory and per replica, on the monotonic clock (a pause is about real time, whatever the wall clock
 * does). Healthy idle destinations are forgotten at once, failing ones after a while without attempts: the
 * map holds only destinations that matter now. Thread-safe: one lock, every operation is a few field updates.
 *
 * @param <T> a claimed event
 */
final class CallbackDestinations<T> {

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

    /** Destinations that can take fewer claimed events than a whole window now, and how many (0: none). */
    record Limits(List<String> destinations, List<Integer> room) {
    }

    /** What a claimed event does now: start, wait for a slot (held here), or go back unattempted. */
    enum Admission {
        START,
        WAIT,
        RELEASE
    }

    /** After a delivery ended: what changed, which waiting events start now, which go back unattempted. */
    record Ended<T>(Change change, List<T> start, List<T> release) {
    }

    private static final class State<T> {
        int active;
        final ArrayDeque<T> waiting = new ArrayDeque<>();
        int failures;
        int pauses;
        long pausedUntil;
        long touched;
    }

    private final int maxConcurrency;
    private final Backoff backoff;
    private final long forgetAfterNanos;
    private final LongSupplier nanoTime;
    private final ToLongFunction<T> startBy;
    private final Map<String, State<T>> states = new HashMap<>();

    /**
     * @param nanoTime the monotonic clock
     * @param startBy when a waiting event must have started ({@link #nanoTime}), or it goes back unattempted
     */
    CallbackDestinations(int maxConcurrency, Duration initialBackoff, Duration maxBackoff, LongSupplier nanoTime,
            ToLongFunction<T> startBy) {
        this.maxConcurrency = maxConcurrency;
        this.startBy = startBy;
        this.backoff = new Backoff(initialBackoff, maxBackoff);
        this.forgetAfterNanos = maxBackoff.multipliedBy(2).plusMinutes(1).toNanos();
        this.nanoTime = nanoTime;
    }

    /** Claimed events a destination holds at most: in flight and waiting. */
    int window() {
        return 2 * maxConcurrency;
    }

    /** The destinations that cannot take a whole {@link #window} of claimed events now. */
    synchronized Limits limits() {
        long now = nanoTime.getAsLong();
        List<String> destinations = new ArrayList<>();
        List<Integer> room = new ArrayList<>();
        for (Iterator<Map.Entry<String, State<T>>> it = states.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, State<T>> entry = it.next();
            State<T> state = entry.getValue();
            if (state.active == 0 && state.waiting.isEmpty() && now - state.touched > forgetAfterNanos) {
                it.remove();
                continue;
            }
            int free = room(state, now);
            if (free < window()) {
                destinations.add(entry.getKey());
                room.add(free);
            }
        }
        return new Limits(destinations, room);
    }

    /** How many more claimed events {@code destination} takes now. */
    synchronized int room(String destination) {
        State<T> state = states.get(destination);
        return state == null ? window() : room(state, nanoTime.getAsLong());
    }

    /** A claimed event for {@code destination}: START (counted in flight), WAIT (held here) or RELEASE. */
    synchronized Admission admit(String destination, T event) {
        long now = nanoTime.getAsLong();
        State<T> state = states.computeIfAbsent(destination, d -> new State<>());
        state.touched = now;
        if (state.active < concurrency(state, now)) {
            state.active++;
            return Admission.START;
        }
        if (state.failures >= FAILURES_BEFORE_PAUSE || state.active + state.waiting.size() >= window()) {
            return Admission.RELEASE; // paused, or probing: nothing waits behind a probe
        }
        state.waiting.add(event);
        return Admission.WAIT;
    }

    /** A delivery to {@code destination} ended: acknowledged or not. */
    synchronized Ended<T> finished(String destination, boolean acknowledged) {
        State<T> state = states.get(destination);
        if (state == null) { // not admitted here: nothing to account
            return new Ended<>(Change.NONE, List.of(), List.of());
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
        } else {
            state.failures++;
            if (state.failures >= FAILURES_BEFORE_PAUSE && !pausedAt(state, now)) {
                state.pauses++;
                state.pausedUntil = now + backoff.delay(state.pauses, ThreadLocalRandom.current()).toNanos();
                change = state.pauses == 1 ? Change.PAUSED : Change.PAUSED_AGAIN;
            }
        }
        List<T> start = new ArrayList<>();
        List<T> release = new ArrayList<>();
        if (state.failures >= FAILURES_BEFORE_PAUSE) {
            release.addAll(state.waiting);
            state.waiting.clear();
        }
        while (!state.waiting.isEmpty() && state.active < concurrency(state, now)) {
            T next = state.waiting.poll();
            if (now - startBy.applyAsLong(next) > 0) {
                release.add(next); // waited too long: its lease would run out during the delivery
            } else {
                start.add(next);
                state.active++;
            }
        }
        if (state.active == 0 && state.waiting.isEmpty() && state.failures == 0) {
            states.remove(destination);
        }
        return new Ended<>(change, start, release);
    }

    /** Destinations paused now. */
    synchronized int paused() {
        long now = nanoTime.getAsLong();
        return (int) states.values().stream().filter(s -> pausedAt(s, now)).count();
    }

    /** How long {@code destination} stays paused from now; zero when it is not. */
    synchronized Duration pausedFor(String destination) {
        State<T> state = states.get(destination);
        long now = nanoTime.getAsLong();
        return state == null || !pausedAt(state, now) ? Duration.ZERO : Duration.ofNanos(state.pausedUntil - now);
    }

    /** Deliveries the destination may have in flight now: all of them, one probe after a pause, none during one. */
    private int concurrency(State<T> state, long now) {
        if (state.failures >= FAILURES_BEFORE_PAUSE) {
            return pausedAt(state, now) ? 0 : 1;
        }
        return maxConcurrency;
    }

    private int room(State<T> state, long now) {
        int held = state.active + state.waiting.size();
        if (state.failures >= FAILURES_BEFORE_PAUSE) {
            return Math.max(0, concurrency(state, now) - held); // no waiting behind a probe
        }
        return Math.max(0, window() - held);
    }

    private static boolean pausedAt(State<?> state, long now) {
        return state.pauses > 0 && now - state.pausedUntil < 0;
    }
}
