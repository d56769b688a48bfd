package wagateway.event;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.config.GatewayConfig;
import wagateway.support.Backoff;
import wagateway.support.CoalescingRunner;

/**
 * Delivers the event outbox to the business (spec §2 "Events to the business"): signed POSTs, retried with
 * exponential backoff and jitter until a 2xx or {@code gateway.callbacks.max-age}, then kept as {@code dead}.
 *
 * <p>
 * <b>Claim.</b> Each event's delivery is claimed by moving its {@code next_attempt_at} past the request
 * timeout (a lease: no transaction stays open during the HTTP call, and another replica takes over after a
 * crash). An event waits while an earlier event of the same message (or, for events without a message such as
 * {@code message.received}, of the same contact) is still pending, so the business sees each message's events
 * in order. Delivery is at least once: the receiver deduplicates on {@code X-Wagateway-Event-Id}. The claim
 * works per destination (scheme, host and port of the URL, {@link #DESTINATION}): it walks the destinations
 * that have pending events and takes, from each, at most as many due events as the destination has room for
 * ({@link CallbackDestinations}: its deliveries in flight and as many waiting for a slot), so a saturated or
 * paused destination's backlog is never even read.
 *
 * <p>
 * <b>Flow.</b> Claims run one at a time ({@link CoalescingRunner}) and back to back while they find full
 * batches; a claim is also asked for when this replica appends an event ({@link #appended}), when a delivery
 * ends (its destination has room again) and when outcomes were recorded (a message's next event may go now);
 * {@link CallbackJob} asks every {@code poll-interval} for the rest (other replicas' events, back-offs that
 * passed). After a claim that found less than half a batch, the next one waits {@value #CLAIM_PAUSE_MS} ms, so that a steady
 * trickle of triggers does not turn into a claim per event. Every claimed event is sent as soon as its
 * destination has a free slot, and on its own: the next claim does not wait for the slowest POST of the last
 * one. At most {@code max-in-flight} events are claimed and not yet recorded.
 *
 * <p>
 * <b>Record.</b> Outcomes are queued and written set-based, one {@code update … from unnest(…)} per batch of
 * whatever ended meanwhile (again one statement at a time, coalesced). An event handed back unattempted (its
 * destination was paused, or it waited too long for a slot) is due again at once and keeps its attempts.
 */
@ApplicationScoped
public class CallbackDispatcher {

    public static final String EVENT_ID_HEADER = "X-Wagateway-Event-Id";
    public static final String EVENT_TYPE_HEADER = "X-Wagateway-Event-Type";
    static final String USER_AGENT = "wagateway-callbacks";
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    /** Outcomes per recording statement, at most. */
    static final int RECORD_BATCH = 1000;
    /** The nudge waits this long, so the appending transaction has usually committed when the claim reads. */
    static final long NUDGE_DELAY_MS = 15;
    /** After a claim that found less than half a batch, the next one waits this long (unless a poll or an append asks). */
    static final long CLAIM_PAUSE_MS = 10;
    /**
     * A claimed event waiting for a slot of its destination must start within this long of the claim; it then
     * ends (gateway.callbacks.timeout) before its lease does (timeout + {@link #LEASE_MARGIN}).
     */
    private static final Duration START_WITHIN = LEASE_MARGIN.minusSeconds(5);

    /**
     * The destination of a callback URL ({@code %s}: the column): scheme and authority, lower case; '' when the
     * URL does not parse. The expression of the index {@code event_outbox_destination_pending} (V11): the two
     * must stay identical.
     */
    static final String DESTINATION = "coalesce(lower(substring(%s from '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*')), '')";

    /**
     * $1 now, $2 events at most, $3 the lease, $4/$5 the destinations with less room than $6 and their room,
     * $7 a salt that changes the order destinations are served in from one claim to the next.
     */
    private static final String CLAIM = """
            with recursive destination(d) as (
                (select %1$s from event_outbox where state = 'pending' order by 1 limit 1)
                union all
                select (select %2$s from event_outbox n where n.state = 'pending' and %2$s > destination.d
                        order by 1 limit 1)
                from destination where destination.d is not null),
            open as (
                select x.d, coalesce(l.free, $6) as free from destination x
                left join unnest($4::text[], $5::int[]) as l(d, free) on l.d = x.d
                where x.d is not null and coalesce(l.free, $6) > 0
                order by md5(x.d || $7)),
            due as (
                select c.id, open.d from open cross join lateral (
                    select e.id from event_outbox e
                    where e.state = 'pending' and %3$s = open.d and e.next_attempt_at <= $1
                      and not exists (select 1 from event_outbox p
                          where p.state = 'pending' and p.message_id = e.message_id and p.id < e.id)
                      and (e.message_id is not null or not exists (select 1 from event_outbox p
                          where p.state = 'pending' and p.message_id is null and p.contact_phone = e.contact_phone
                            and p.id < e.id))
                    order by e.next_attempt_at, e.id limit open.free
                    for update of e skip locked) c
                limit $2)
            update event_outbox o set next_attempt_at = $3 from due where o.id = due.id
            returning o.id, due.d, o.type, o.message_id, o.url, o.payload, o.attempts, o.created_at"""
            .formatted(DESTINATION.formatted("url"), DESTINATION.formatted("n.url"), DESTINATION.formatted("e.url"));

    /**
     * Every outcome of a batch in one statement ({@code tried} 0: handed back unattempted, attempts and last error
     * kept); a row another replica settled meanwhile is left alone.
     */
    private static final String RECORD = """
            update event_outbox o set state = u.state, attempts = o.attempts + u.tried,
                last_error = case when u.tried = 0 then o.last_error else u.last_error end,
                next_attempt_at = coalesce(u.next_attempt_at, o.next_attempt_at), delivered_at = u.delivered_at
            from unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::timestamptz[])
                as u(id, state, tried, last_error, next_attempt_at, delivered_at)
            where o.id = u.id and o.state = 'pending'""";

    /** One event claimed for delivery. */
    record Due(long id, String destination, String type, UUID messageId, String url, JsonObject payload, int attempts,
            Instant createdAt) {

        static Due of(Row row) {
            return new Due(row.getLong("id"), row.getString("d"), row.getString("type"), row.getUUID("message_id"),
                    row.getString("url"), row.getJsonObject("payload"), row.getInteger("attempts"),
                    row.getOffsetDateTime("created_at").toInstant());
        }
    }

    /**
     * An event this replica claimed: {@code startBy} (monotonic nanos) is when it must have started, and
     * {@code recorded} completes once its outcome is recorded (or failed to be).
     */
    private record Claimed(Due event, long startBy, CompletableFuture<Void> recorded) {
    }

    /** What became of one claimed event, waiting to be recorded. */
    private record Outcome(Claimed claimed, String state, boolean tried, String lastError, OffsetDateTime nextAttemptAt,
            OffsetDateTime deliveredAt) {
    }

    /** What {@link #deliverAllDueNow} did: events attempted, and events still pending after (in back-off). */
    public record DrainResult(int attempted, long pending) {
    }

    /** Counters for tests and benchmarks: claims that found events, poll ticks, the most events in flight at once. */
    record Stats(long claims, long polls, int peakInFlight) {
    }

    private final Pool pool;
    private final Vertx vertx;
    private final CallbackHttp http;
    private final CallbackDestinations<Claimed> destinations;
    private final CallbackSigner signer;
    private final CallbackMetrics metrics;
    private final GatewayConfig.Callbacks config;
    private final Backoff backoff;
    private final Clock clock;

    private final CoalescingRunner claims;
    private final CoalescingRunner records;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    /** Events claimed (or being claimed) and not yet recorded. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean nudgePending = new AtomicBoolean();
    private final AtomicBoolean claimTimerPending = new AtomicBoolean();
    /** Monotonic nanos before which no claim starts (after a claim that found little); 0: none. */
    private volatile long quietUntil;
    /** Drains under way ({@link #deliverAllDueNow}): the background flow claims nothing meanwhile. */
    private final AtomicInteger draining = new AtomicInteger();
    private volatile boolean stopped;
    private final AtomicLong claimsMade = new AtomicLong();
    private final AtomicLong polls = new AtomicLong();
    private final AtomicInteger peakInFlight = new AtomicInteger();

    CallbackDispatcher(Pool pool, Vertx vertx, CallbackSigner signer, CallbackMetrics metrics, GatewayConfig config,
            Clock clock, CallbackAddresses addresses) {
        this.pool = pool;
        this.vertx = vertx;
        this.signer = signer;
        this.metrics = metrics;
        this.config = config.callbacks();
        this.backoff = new Backoff(this.config.retryInitialBackoff(), this.config.retryMaxBackoff());
        this.clock = clock;
        this.http = new CallbackHttp(vertx.getDelegate(), this.config.timeout(), this.config.maxConcurrencyPerDestination(),
                addresses);
        this.destinations = new CallbackDestinations<>(this.config.maxConcurrencyPerDestination(),
                this.config.destinationInitialBackoff(), this.config.destinationMaxBackoff(), System::nanoTime,
                Claimed::startBy);
        this.claims = new CoalescingRunner(this::claimPass,
                e -> Log.warnf("Could not claim callbacks (the next poll tries again): %s", e.getMessage()), Runnable::run);
        this.records = new CoalescingRunner(this::recordPass,
                e -> Log.warnf("Could not record callback outcomes: %s", e.getMessage()), Runnable::run);
        metrics.track(inFlight::get, destinations::paused);
    }

    @PreDestroy
    void close() {
        stopped = true;
        http.close();
    }

    /** The poll ({@link CallbackJob}): look for due events now. Never blocks, never fails. */
    public void poll() {
        polls.incrementAndGet();
        claims.request();
    }

    /** Asks for a claim: now, or at the end of the pause after a claim that found little. */
    private void requestClaim() {
        long wait = quietUntil - System.nanoTime();
        if (quietUntil == 0 || wait <= 0) {
            claims.request();
        } else if (claimTimerPending.compareAndSet(false, true)) {
            vertx.setTimer(Math.max(1, wait / 1_000_000), id -> {
                claimTimerPending.set(false);
                claims.request();
            });
        }
    }

    /** Events with a callback URL were appended on this replica (maybe not committed yet): claim soon. */
    public void appended() {
        if (!stopped && nudgePending.compareAndSet(false, true)) {
            vertx.setTimer(NUDGE_DELAY_MS, id -> {
                nudgePending.set(false);
                claims.request();
            });
        }
    }

    /**
     * Claims one batch of due events and delivers them, outside the background flow (which keeps running).
     *
     * @return how many were claimed, once each outcome is recorded (delivered, failed, or handed back)
     */
    public Uni<Integer> deliverDue() {
        return claim().chain(started -> started.isEmpty() ? Uni.createFrom().item(0)
                : Uni.join().all(started.stream().map(f -> Uni.createFrom().completionStage(f)).toList())
                        .andCollectFailures().replaceWith(started.size()));
    }

    /**
     * Delivers every event due now that the destinations take (a paused one takes none), batch after batch
     * until a claim finds nothing more and nothing is in flight, then counts the events still pending: those in
     * back-off, behind an earlier event of their message, or of a paused destination. The background flow
     * stands aside meanwhile (it finishes what it has in flight), so "nothing more" is the drain's own finding.
     */
    public Uni<DrainResult> deliverAllDueNow() {
        return Uni.createFrom().deferred(() -> {
            draining.incrementAndGet();
            return drain(0);
        }).onTermination().invoke(() -> {
            draining.decrementAndGet();
            claims.request();
        });
    }

    private Uni<DrainResult> drain(int attempted) {
        return deliverDue().chain(n -> {
            if (n > 0) {
                return drain(attempted + n);
            }
            if (inFlight.get() > 0) { // the background flow holds the room: wait for it to finish
                return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(20))
                        .chain(() -> drain(attempted));
            }
            return pending().map(pending -> new DrainResult(attempted, pending));
        });
    }

    /** Events still to be delivered (due, in back-off, or behind an earlier event of their message). */
    public Uni<Long> pending() {
        return pool.preparedQuery("select count(*) from event_outbox where state = 'pending'").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    Stats stats() {
        return new Stats(claimsMade.get(), polls.get(), peakInFlight.get());
    }

    /** One background claim; "more" when it found a full batch. */
    private Uni<Boolean> claimPass() {
        if (draining.get() > 0) {
            return Uni.createFrom().item(false);
        }
        return claim().map(claimed -> {
            quietUntil = claimed.size() * 2 < config.batchSize() ? System.nanoTime() + CLAIM_PAUSE_MS * 1_000_000 : 0;
            return claimed.size() >= config.batchSize();
        });
    }

    /**
     * Claims what the room allows and starts each delivery. @return per delivery, its outcome being recorded
     */
    private Uni<List<CompletableFuture<Void>>> claim() {
        if (stopped) {
            return Uni.createFrom().item(List.of());
        }
        int limit = reserve();
        if (limit == 0) {
            return Uni.createFrom().item(List.of());
        }
        CallbackDestinations.Limits limits = destinations.limits();
        long startBy = System.nanoTime() + START_WITHIN.toNanos();
        Instant now = clock.instant();
        Instant leaseUntil = now.plus(config.timeout()).plus(LEASE_MARGIN);
        Tuple params = Tuple.tuple().addOffsetDateTime(now.atOffset(ZoneOffset.UTC)).addInteger(limit)
                .addOffsetDateTime(leaseUntil.atOffset(ZoneOffset.UTC))
                .addArrayOfString(limits.destinations().toArray(String[]::new))
                .addArrayOfInteger(limits.room().toArray(Integer[]::new))
                .addInteger(destinations.window())
                .addString(Long.toHexString(ThreadLocalRandom.current().nextLong()));
        return pool.preparedQuery(CLAIM).execute(params)
                .onFailure().invoke(() -> inFlight.addAndGet(-limit))
                .map(rows -> {
                    List<Due> due = new ArrayList<>(rows.size());
                    rows.forEach(row -> due.add(Due.of(row)));
                    inFlight.addAndGet(due.size() - limit); // gives back what was not claimed
                    if (due.isEmpty()) {
                        return List.of();
                    }
                    claimsMade.incrementAndGet();
                    due.sort(Comparator.comparingLong(Due::id));
                    List<CompletableFuture<Void>> claimed = new ArrayList<>(due.size());
                    for (Due event : due) {
                        Claimed c = new Claimed(event, startBy, new CompletableFuture<>());
                        claimed.add(c.recorded());
                        switch (destinations.admit(event.destination(), c)) {
                            case START -> send(c);
                            case WAIT -> {
                            } // starts when one of its destination's deliveries ends
                            case RELEASE -> handBack(c);
                        }
                    }
                    return claimed;
                });
    }

    /** Takes room for a batch out of {@code max-in-flight}. @return how many events the claim may take */
    private int reserve() {
        while (true) {
            int current = inFlight.get();
            int limit = Math.min(config.batchSize(), config.maxInFlight() - current);
            if (limit <= 0) {
                return 0;
            }
            if (inFlight.compareAndSet(current, current + limit)) {
                peakInFlight.accumulateAndGet(current + limit, Math::max);
                return limit;
            }
        }
    }

    private void send(Claimed claimed) {
        Due event = claimed.event();
        try {
            Buffer body = body(event).getDelegate();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            headers.put("User-Agent", USER_AGENT);
            headers.put(EVENT_ID_HEADER, String.valueOf(event.id()));
            headers.put(EVENT_TYPE_HEADER, event.type());
            var signature = signer.sign(body.getBytes());
            if (signature.isEmpty()) { // production cannot start without a secret; elsewhere nothing goes out unsigned
                ended(claimed, Future.failedFuture(new IllegalStateException(
                        "not sent: gateway.callbacks.secret is not set, and callbacks are always signed")));
                return;
            }
            headers.put(CallbackSigner.HEADER, signature.get());
            http.post(event.url(), headers, body).onComplete(answer -> ended(claimed, answer));
        } catch (RuntimeException e) { // never leaves the event claimed in memory
            ended(claimed, Future.failedFuture(e));
        }
    }

    /** A delivery ended: account for its destination, queue its outcome, start what waited for the slot. */
    private void ended(Claimed claimed, AsyncResult<CallbackHttp.Answer> answer) {
        Due event = claimed.event();
        boolean acknowledged = answer.succeeded() && answer.result().acknowledged();
        CallbackDestinations.Ended<Claimed> ended = destinations.finished(event.destination(), acknowledged);
        Instant now = clock.instant();
        Outcome outcome;
        if (acknowledged) {
            metrics.delivered();
            outcome = new Outcome(claimed, "delivered", true, null, null, now.atOffset(ZoneOffset.UTC));
        } else {
            metrics.failed();
            Throwable error = answer.cause();
            String reason = error != null ? error.getClass().getSimpleName() + ": " + error.getMessage()
                    : "HTTP " + answer.result().status();
            int attempts = event.attempts() + 1;
            Instant deadline = event.createdAt().plus(config.maxAge());
            boolean dead = !now.isBefore(deadline);
            Instant next = dead ? now : min(now.plus(backoff.delay(attempts, ThreadLocalRandom.current())), deadline);
            if (dead) {
                Log.warnf("Event %d (%s) is dead after %d attempts: %s", event.id(), event.type(), attempts, reason);
            } else {
                Log.debugf("Event %d attempt %d failed (%s); next at %s", event.id(), attempts, reason, next);
            }
            outcome = new Outcome(claimed, dead ? "dead" : "pending", true,
                    reason.length() > 500 ? reason.substring(0, 500) : reason, next.atOffset(ZoneOffset.UTC), null);
        }
        switch (ended.change()) {
            case PAUSED -> Log.warnf("Callback destination %s failed %d times in a row (%s): paused for %d ms, then probed",
                    display(event.destination()), CallbackDestinations.FAILURES_BEFORE_PAUSE, outcome.lastError(),
                    destinations.pausedFor(event.destination()).toMillis());
            case PAUSED_AGAIN -> Log.debugf("Callback destination %s still fails: paused for %d ms",
                    display(event.destination()), destinations.pausedFor(event.destination()).toMillis());
            case RECOVERED -> Log.infof("Callback destination %s acknowledges again", display(event.destination()));
            case NONE -> {
            }
        }
        outcomes.add(outcome);
        ended.release().forEach(this::handBack);
        ended.start().forEach(this::send);
        records.request();
        requestClaim();
    }

    /** Back to the outbox unattempted, due at once: its destination is paused, or it waited too long. */
    private void handBack(Claimed claimed) {
        outcomes.add(new Outcome(claimed, "pending", false, null, clock.instant().atOffset(ZoneOffset.UTC), null));
        records.request();
    }

    /** One recording statement for the outcomes queued so far (up to {@value #RECORD_BATCH}); "more" if some are left. */
    private Uni<Boolean> recordPass() {
        List<Outcome> batch = new ArrayList<>();
        Outcome next;
        while (batch.size() < RECORD_BATCH && (next = outcomes.poll()) != null) {
            batch.add(next);
        }
        if (batch.isEmpty()) {
            return Uni.createFrom().item(false);
        }
        int n = batch.size();
        Long[] ids = new Long[n];
        String[] states = new String[n];
        Integer[] tried = new Integer[n];
        String[] errors = new String[n];
        OffsetDateTime[] nextAttempts = new OffsetDateTime[n];
        OffsetDateTime[] deliveredAt = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Outcome o = batch.get(i);
            ids[i] = o.claimed().event().id();
            states[i] = o.state();
            tried[i] = o.tried() ? 1 : 0;
            errors[i] = o.lastError();
            nextAttempts[i] = o.nextAttemptAt();
            deliveredAt[i] = o.deliveredAt();
        }
        Tuple params = Tuple.tuple().addArrayOfLong(ids).addArrayOfString(states).addArrayOfInteger(tried)
                .addArrayOfString(errors).addArrayOfOffsetDateTime(nextAttempts).addArrayOfOffsetDateTime(deliveredAt);
        return pool.preparedQuery(RECORD).execute(params).onItemOrFailure().transform((rows, failure) -> {
            if (failure != null) {
                // the leases run out and these events are sent again: at least once, never lost
                Log.warnf("Could not record the outcome of %d callbacks (they will be sent again): %s", n,
                        failure.getMessage());
            }
            inFlight.addAndGet(-n);
            batch.forEach(o -> o.claimed().recorded().complete(null));
            requestClaim(); // room again, and the next event of a delivered message may go now
            return !outcomes.isEmpty();
        });
    }

    /** The event's body ({@link EventBody}); these exact bytes are signed. */
    static io.vertx.mutiny.core.buffer.Buffer body(Due event) {
        return io.vertx.mutiny.core.buffer.Buffer
                .buffer(EventBody.of(event.id(), event.type(), event.createdAt(), event.payload()).encode());
    }

    /** A destination for a log line: without user information. */
    static String display(String destination) {
        int scheme = destination.indexOf("://");
        int at = destination.lastIndexOf('@');
        return scheme >= 0 && at > scheme ? destination.substring(0, scheme + 3) + destination.substring(at + 1)
                : destination;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
