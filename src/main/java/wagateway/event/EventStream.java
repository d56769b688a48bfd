package wagateway.event;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.config.GatewayConfig;
import wagateway.support.CoalescingRunner;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * The live event stream of one replica ({@code GET /v1/events}).
 *
 * <p>
 * One shared tail reads new events once per pass and fans them out to every subscriber: no query and no
 * thread per subscriber, so idle subscribers cost a registration and a buffer. A pass runs right after this
 * replica appended events ({@link #appended}, a coalesced in-process nudge) and every
 * {@code gateway.events.poll-interval} otherwise (other replicas' events; a commit that came after the nudge).
 * It first lets {@link EventSequencer} stamp committed events with their stream position, then reads
 * {@code position > tail}: commit order, never skipping a late commit.
 *
 * <p>
 * A subscriber registers first, then catches up from the database from its {@code Last-Event-ID}, holding
 * the live events that arrive meanwhile, then switches to live: everything the tail saw before the
 * registration is committed and found by the catch-up, everything after is held; positions already sent are
 * dropped, so the switch has neither gap nor duplicate. While the database is away, the tail and any
 * catch-up retry with backoff and subscribers stay connected; they resume where they were.
 *
 * <p>
 * Memory is bounded for all subscribers together: each holds the events it has not written yet in its own
 * queue, handed to the connection one at a time as the connection asks (Quarkus REST asks for the next when the
 * last was written), and the bytes held by every queue and every catch-up's held events are counted. Above
 * {@code gateway.events.max-buffered-bytes} the subscriber furthest behind is disconnected first (its queue
 * freed at once); a subscriber more than {@link #SUBSCRIBER_BUFFER} events behind is too. Either resumes with
 * {@code Last-Event-ID} (EventSource does so by itself).
 */
@ApplicationScoped
public class EventStream {

    /** Rows per tail or catch-up query. */
    static final int PAGE = 500;
    /** The nudge waits this long, so the appending transaction has usually committed when the pass reads. */
    static final long NUDGE_DELAY_MS = 15;
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /**
     * Items queued for a subscriber that reads slower than events come; beyond it the stream ends with an
     * error and the client reconnects with its Last-Event-ID (EventSource does so by itself).
     */
    static final int SUBSCRIBER_BUFFER = 10_000;
    /** What a ping, the live marker or a reset notice costs in a queue. */
    static final long SMALL_ITEM_BYTES = 128;

    private static final String TAIL = "select " + StreamedEvent.COLUMNS
            + " from event_outbox where position > $1 order by position limit $2";

    private final Pool pool;
    private final Vertx vertx;
    private final EventSequencer sequencer;
    private final GatewayConfig.Events config;

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicReference<Uni<Void>> starting = new AtomicReference<>();
    /** The last position the tail fanned out; -1 until the tail started (on the first subscriber). */
    private volatile long tailPosition = -1;
    private final CoalescingRunner passes;
    private final AtomicBoolean nudgePending = new AtomicBoolean();
    private final AtomicBoolean timersStarted = new AtomicBoolean();
    private volatile long retryAtMillis;
    private volatile int failures;
    private final List<Long> timers = new ArrayList<>();
    /** Bytes held for all subscribers together: queued for writing, or held during a catch-up. */
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final AtomicBoolean shedding = new AtomicBoolean();
    private final Counter shed;

    EventStream(Pool pool, Vertx vertx, EventSequencer sequencer, GatewayConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.vertx = vertx;
        this.sequencer = sequencer;
        this.config = config.events();
        this.passes = new CoalescingRunner(this::tailPass, this::passFailed, Runnable::run);
        Gauge.builder("wagateway.events.subscribers", subscribers, Set::size)
                .description("Open GET /v1/events streams on this replica").register(registry);
        Gauge.builder("wagateway.events.buffered", bufferedBytes, AtomicLong::get).baseUnit("bytes")
                .description("Events not yet written to this replica's subscribers (gateway.events.max-buffered-bytes)")
                .register(registry);
        this.shed = Counter.builder("wagateway.events.subscribers.disconnected")
                .description("Subscribers disconnected for being too far behind; they resume with Last-Event-ID")
                .register(registry);
    }

    @PreDestroy
    void stop() {
        synchronized (timers) {
            timers.forEach(vertx::cancelTimer);
        }
    }

    /** Reserves a subscriber slot, or refuses with a 503 problem when the replica has its maximum. */
    void admit() {
        if (admitted.incrementAndGet() > config.maxSubscribers()) {
            admitted.decrementAndGet();
            throw new ProblemException(Problem.of("too-many-subscribers", "Service Unavailable", 503,
                    "This replica already streams to " + config.maxSubscribers()
                            + " subscribers (gateway.events.max-subscribers); retry later or on another replica"));
        }
    }

    /** Open streams on this replica. */
    public int subscribers() {
        return subscribers.size();
    }

    /** Bytes held for this replica's subscribers, all together. */
    long bufferedBytes() {
        return bufferedBytes.get();
    }

    /**
     * The matching events after position {@code after} (null: from now on), then live ones. Call
     * {@link #admit} first: the slot is given back when the stream ends.
     */
    Multi<StreamItem> subscribe(EventFilter filter, Long after) {
        return subscribe(Uni.createFrom().item(filter), after);
    }

    /**
     * {@link #subscribe(EventFilter, Long)} with a filter still to be looked up (a contact's identifiers): looked up
     * before the subscriber registers, retried with the rest of the connection while the database is away.
     */
    Multi<StreamItem> subscribe(Uni<EventFilter> lookup, Long after) {
        // ERROR: nothing is emitted beyond what the connection asked for; the subscriber's own queue holds the rest
        return Multi.createFrom().<StreamItem> emitter(emitter -> {
            Subscriber subscriber = new Subscriber(lookup, emitter);
            emitter.onTermination(subscriber::close);
            emitter.onRequest(n -> subscriber.drain());
            subscriber.connecting = connect(subscriber, after)
                    .onFailure(e -> !subscriber.closed.get()).retry()
                    .withBackOff(config.pollInterval(), MAX_BACKOFF).indefinitely()
                    .subscribe().with(ignored -> {
                    }, emitter::fail);
        }, BackPressureStrategy.ERROR);
    }

    /** Events were appended on this replica (maybe not committed yet): look soon. Never fails the caller. */
    public void appended() {
        if (tailPosition >= 0 && nudgePending.compareAndSet(false, true)) {
            vertx.setTimer(NUDGE_DELAY_MS, id -> {
                nudgePending.set(false);
                pass();
            });
        }
    }

    /** Idempotent, so that a retry after a database failure resumes where the subscriber was. */
    private Uni<Void> connect(Subscriber subscriber, Long after) {
        return subscriber.lookup.invoke(f -> subscriber.filter = f).chain(this::started)
                .chain(() -> {
                    subscribers.add(subscriber);
                    if (subscriber.closed.get()) {
                        // the client left while the tail was starting: close() ran before the add
                        subscribers.remove(subscriber);
                        return Uni.createFrom().voidItem();
                    }
                    return subscriber.positioned ? Uni.createFrom().voidItem() : position(subscriber, after);
                })
                .chain(() -> catchUp(subscriber))
                .invoke(subscriber::goLive)
                .invoke(this::keepWithinBudget);
    }

    /** Where a new subscriber starts; a {@code stream.reset} first when its Last-Event-ID cannot be honoured. */
    private Uni<Void> position(Subscriber subscriber, Long after) {
        if (after == null) {
            subscriber.start(tailPosition, null);
            return Uni.createFrom().voidItem();
        }
        return pool.query("select min(position), max(position) from event_outbox where position is not null")
                .execute().invoke(rows -> {
                    Row row = rows.iterator().next();
                    Long oldest = row.getLong(0);
                    long newest = row.getLong(1) == null ? 0 : row.getLong(1);
                    if (after > newest) {
                        // not a position of this stream (another database, a restore): start from now
                        subscriber.start(Math.max(newest, tailPosition), StreamItem.reset(Math.max(newest, tailPosition),
                                "Last-Event-ID " + after + " is not a position of this stream; resuming from now"));
                    } else if (oldest != null && after < oldest - 1) {
                        subscriber.start(after, StreamItem.reset(oldest - 1, "Events after " + after
                                + " are no longer retained; resuming from the oldest retained event"));
                    } else {
                        subscriber.start(after, null);
                    }
                }).replaceWithVoid();
    }

    private Uni<Void> catchUp(Subscriber subscriber) {
        Tuple params = Tuple.of(subscriber.last());
        String where = subscriber.filter.sql(params);
        params.addInteger(PAGE);
        return pool.preparedQuery("select " + StreamedEvent.COLUMNS + " from event_outbox where position > $1" + where
                + " order by position limit $" + params.size()).execute(params)
                .chain(rows -> {
                    List<StreamedEvent> page = events(rows);
                    subscriber.caughtUp(page);
                    keepWithinBudget();
                    return page.size() < PAGE || subscriber.closed.get() ? Uni.createFrom().voidItem()
                            : catchUp(subscriber);
                });
    }

    private Uni<Void> started() {
        if (tailPosition >= 0) {
            return Uni.createFrom().voidItem();
        }
        return starting.updateAndGet(current -> current != null ? current
                : sequencer.stamp()
                        .chain(() -> pool.query("select coalesce(max(position), 0) from event_outbox").execute())
                        .invoke(rows -> {
                            tailPosition = rows.iterator().next().getLong(0);
                            startTimers();
                        })
                        .onFailure().invoke(() -> starting.set(null))
                        .replaceWithVoid()
                        .memoize().indefinitely());
    }

    private void startTimers() {
        if (timersStarted.compareAndSet(false, true)) {
            synchronized (timers) {
                timers.add(vertx.setPeriodic(config.pollInterval().toMillis(), id -> {
                    if (System.currentTimeMillis() >= retryAtMillis) {
                        pass();
                    }
                }));
                timers.add(vertx.setPeriodic(config.keepAlive().toMillis(), id -> subscribers.forEach(Subscriber::ping)));
            }
        }
    }

    /** One tail pass: stamp, read what is new, fan out. One at a time; a request during a pass runs after it. */
    private void pass() {
        passes.request();
    }

    private Uni<Boolean> tailPass() {
        return sequencer.stamp().chain(this::readNew).invoke(() -> {
            if (failures > 0) {
                Log.infof("Event stream reading again after %d failed attempts", failures);
            }
            failures = 0;
            retryAtMillis = 0;
        }).replaceWith(false);
    }

    private void passFailed(Throwable failure) {
        int failed = ++failures;
        long backoff = Math.min(MAX_BACKOFF.toMillis(), config.pollInterval().toMillis() << Math.min(failed, 10));
        retryAtMillis = System.currentTimeMillis() + backoff;
        if (failed == 1) {
            Log.warnf("Event stream cannot read events (%s); retrying with backoff, subscribers stay connected",
                    failure.getMessage());
        } else {
            Log.debugf("Event stream attempt %d failed: %s", failed, failure.getMessage());
        }
    }

    private Uni<Void> readNew() {
        return pool.preparedQuery(TAIL).execute(Tuple.of(tailPosition, PAGE)).chain(rows -> {
            List<StreamedEvent> batch = events(rows);
            if (batch.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            tailPosition = batch.get(batch.size() - 1).position();
            subscribers.forEach(s -> s.offer(batch));
            keepWithinBudget();
            return batch.size() < PAGE ? Uni.createFrom().voidItem() : readNew();
        });
    }

    /**
     * Disconnects the subscribers furthest behind until all of them together hold no more than the budget. Never
     * called under a subscriber's lock; one caller at a time (another one's pass sheds what is left over).
     */
    private void keepWithinBudget() {
        while (bufferedBytes.get() > config.maxBufferedBytes() && shedding.compareAndSet(false, true)) {
            try {
                Subscriber furthest = null;
                for (Subscriber s : subscribers) {
                    if (furthest == null || s.bytes.get() > furthest.bytes.get()) {
                        furthest = s;
                    }
                }
                if (furthest == null || furthest.bytes.get() == 0) {
                    return;
                }
                furthest.disconnect(furthest.bytes.get() + " bytes behind, over gateway.events.max-buffered-bytes ("
                        + config.maxBufferedBytes() + ") for all subscribers together");
            } finally {
                shedding.set(false);
            }
        }
    }

    private static List<StreamedEvent> events(RowSet<Row> rows) {
        List<StreamedEvent> events = new ArrayList<>(rows.size());
        rows.forEach(row -> events.add(StreamedEvent.of(row)));
        return events;
    }

    /**
     * One open stream. Its methods are synchronized: the tail, the catch-up, the keep-alive and the connection's
     * requests all reach it.
     */
    private final class Subscriber {

        final Uni<EventFilter> lookup;
        /** Set before the subscriber registers (the tail never sees it before). */
        volatile EventFilter filter;
        private final MultiEmitter<? super StreamItem> emitter;
        final AtomicBoolean closed = new AtomicBoolean();
        volatile Cancellable connecting;
        volatile boolean positioned;
        /** What this subscriber holds: its queue and its held live events; part of {@link #bufferedBytes}. */
        final AtomicLong bytes = new AtomicLong();
        private final ArrayDeque<StreamItem> queue = new ArrayDeque<>();
        private long last;
        private boolean live;
        private List<StreamedEvent> held = new ArrayList<>();

        Subscriber(Uni<EventFilter> lookup, MultiEmitter<? super StreamItem> emitter) {
            this.lookup = lookup;
            this.emitter = emitter;
        }

        synchronized long last() {
            return last;
        }

        synchronized void start(long from, StreamItem reset) {
            last = from;
            positioned = true;
            if (reset != null) {
                push(reset);
            }
        }

        /** Live events from the tail: held until the catch-up is over. */
        synchronized void offer(List<StreamedEvent> batch) {
            if (live) {
                emitNew(batch);
            } else if (held != null) {
                for (StreamedEvent event : batch) {
                    if (filter.matches(event)) {
                        held.add(event);
                        account(event.bytes());
                    }
                }
            }
        }

        synchronized void caughtUp(List<StreamedEvent> page) {
            emitNew(page);
        }

        synchronized void goLive() {
            if (held == null) {
                return; // disconnected meanwhile
            }
            live = true;
            List<StreamedEvent> wasHeld = held;
            held = null;
            account(-wasHeld.stream().mapToLong(StreamedEvent::bytes).sum());
            emitNew(wasHeld);
            push(StreamItem.LIVE);
        }

        /** A keep-alive, unless events are already waiting to be written. */
        synchronized void ping() {
            if (queue.isEmpty()) {
                push(StreamItem.PING);
            }
        }

        /** Only positions after the last one sent: the catch-up and the held live events overlap. */
        private void emitNew(List<StreamedEvent> events) {
            for (StreamedEvent event : events) {
                if (event.position() > last && !closed.get()) {
                    last = event.position();
                    if (filter.matches(event)) {
                        push(StreamItem.event(event));
                    }
                }
            }
        }

        private void push(StreamItem item) {
            if (closed.get()) {
                return;
            }
            if (queue.size() >= SUBSCRIBER_BUFFER) {
                disconnect("more than " + SUBSCRIBER_BUFFER + " events behind");
                return;
            }
            queue.add(item);
            account(bytes(item));
            drain();
        }

        /** Hands queued items to the connection as far as it asked for them. */
        synchronized void drain() {
            StreamItem item;
            while (!closed.get() && emitter.requested() > 0 && (item = queue.poll()) != null) {
                account(-bytes(item));
                emitter.emit(item);
            }
        }

        private void account(long delta) {
            bytes.addAndGet(delta);
            bufferedBytes.addAndGet(delta);
        }

        private static long bytes(StreamItem item) {
            return item.event() == null ? SMALL_ITEM_BYTES : item.event().bytes();
        }

        /** Ends the stream with an error now, dropping what it holds; the client resumes with Last-Event-ID. */
        void disconnect(String why) {
            if (closed.get()) {
                return;
            }
            Log.infof("Event stream subscriber disconnected (%s); it resumes with Last-Event-ID", why);
            shed.increment();
            emitter.fail(new IllegalStateException("Subscriber too far behind: " + why));
            close();
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                subscribers.remove(this);
                admitted.decrementAndGet();
                Cancellable c = connecting;
                if (c != null) {
                    c.cancel();
                }
                release();
            }
        }

        private synchronized void release() {
            queue.clear();
            held = null;
            bufferedBytes.addAndGet(-bytes.getAndSet(0));
        }
    }
}
