package wagateway.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import wagateway.cloudapi.CloudApiClient;
import wagateway.cloudapi.ErrorClassifier;
import wagateway.config.GatewayConfig;
import wagateway.inbound.InboundMessages.DueReceipt;
import wagateway.message.OutboundQueue;
import wagateway.message.Outcome;
import wagateway.receipt.ReadReceipts;
import wagateway.support.CoalescingRunner;
import wagateway.support.DetachedContext;
import wagateway.throttle.SendPacer;
import wagateway.throttle.SenderLeases;

/**
 * The loop of one sender: claim → rules → throttle → send → record. Read receipts go in the same batches,
 * through the same pacing, breaker check and lease: only the replica driving a sender calls the API for it.
 * Ticks run one at a time ({@link CoalescingRunner}); up to {@link #BATCHES_IN_FLIGHT} claimed batches are out
 * at once.
 */
final class SenderLoop {

    /** A batch starts only while our sender lease has at least this long to run. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(15);

    /**
     * How far ahead sends are scheduled: a claim is made while the last batch's sends still wait for their
     * instants, so the claim and record transactions never leave the sender idle.
     */
    static final Duration LOOKAHEAD = Duration.ofMillis(250);

    /** Retries of a batch's outcome transaction: about ten seconds in all, inside the 15 s lease margin. */
    static final int RECORD_ATTEMPTS = 8;
    static final Duration RECORD_RETRY_FIRST = Duration.ofMillis(200);
    static final Duration RECORD_RETRY_MAX = Duration.ofSeconds(2);

    /**
     * Batches of one sender in flight at once. A batch is claim → sends → record; with one at a time the sender
     * idles through every claim and record transaction and waits for the slowest answer of each batch
     * (measured: about a second per 100-message cycle under load, capping one sender far below 1,000 mps). The
     * next claim starts while earlier sends are out; the pacer still spaces every call, and claims stay
     * serial (one tick at a time), so no row is claimed twice.
     */
    static final int BATCHES_IN_FLIGHT = 4;

    /** The beans every loop of this replica shares. */
    record Shared(OutboundQueue queue, ClaimRules rules, ReadReceipts readReceipts, CloudApiClient cloudApi,
            CircuitBreakerMaintenance breakers, SenderLeases leases, OutcomeMapper outcomes, GatewayConfig config,
            Clock clock, Vertx vertx, ObjectMapper mapper, MeterRegistry metrics, String owner) {
    }

    private final String sender;
    private final Shared shared;
    private final GatewayConfig.Sender settings;
    private final SendPacer pacer;
    /**
     * Where this loop's ticks and timers run: a context of its own, so a timer set while the loop was woken from a
     * request handler is not cancelled with the HTTP server at shutdown, and senders spread over the event loops.
     */
    private final DetachedContext context;
    /**
     * Cloud API calls planned or out: at most a second's worth ({@code messages-per-second}), whatever the
     * latency.
     */
    private final AtomicInteger calls = new AtomicInteger();
    /** Sends waiting for the pacer to let them depart, in order. Guarded by itself. */
    private final ArrayDeque<Runnable> departures = new ArrayDeque<>();
    private boolean departureTimerSet;
    private final CoalescingRunner ticks;
    /** Batches sent and not yet recorded ({@link #BATCHES_IN_FLIGHT}). */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Numbers this loop's claims: each claim fences its own rows ({@link OutboundQueue#claimToken}). */
    private final AtomicLong claims = new AtomicLong();
    private volatile boolean timerSet;
    private volatile boolean stopping;
    private volatile Instant pausedUntil;
    /** Our lease on the sender, as last renewed; past it another replica may drive the sender. */
    private volatile Instant leaseUntil = Instant.MIN;

    SenderLoop(String sender, Shared shared) {
        this.sender = sender;
        this.shared = shared;
        this.settings = shared.config().senders().get(sender);
        this.context = new DetachedContext(shared.vertx());
        this.pacer = new SendPacer(settings.messagesPerSecond(), shared.config().dispatch().rateSafetyMargin());
        this.ticks = new CoalescingRunner(this::tick,
                failure -> Log.errorf(failure,
                        "Dispatch batch of sender %s failed; its rows return to the queue when their lease ends",
                        sender),
                context::run);
    }

    /** Renewed lease and pause, from the poll. */
    void held(Instant leaseUntil, Instant pausedUntil) {
        this.leaseUntil = leaseUntil;
        this.pausedUntil = pausedUntil;
    }

    /** Whether the sender is paused (its token was refused) at {@code now}. */
    boolean paused(Instant now) {
        Instant until = pausedUntil;
        return until != null && until.isAfter(now);
    }

    /** Another replica drives the sender now: stop at once, whatever our in-memory lease said. */
    void lost() {
        this.leaseUntil = Instant.MIN;
    }

    void stop() {
        stopping = true;
    }

    /** Whether a tick or a batch is under way. */
    boolean busy() {
        return ticks.running() || inFlight.get() > 0;
    }

    void wake() {
        if (!stopping) {
            ticks.request();
        }
    }

    /** @return whether more may be due right away */
    private Uni<Boolean> tick() {
        Instant now = shared.clock().instant();
        // a batch may take up to the Cloud API timeout: only start one well inside our lease
        if (stopping || pausedUntil != null && pausedUntil.isAfter(now)
                || !now.plus(LEASE_MARGIN).isBefore(leaseUntil)) {
            return Uni.createFrom().item(false);
        }
        if (shared.breakers().currentState(CloudApiClient.BREAKER) == CircuitBreakerState.OPEN) {
            // the API is unhealthy: claim nothing, lose nothing; the poll tries again
            return Uni.createFrom().item(false);
        }
        if (inFlight.get() >= BATCHES_IN_FLIGHT) {
            return Uni.createFrom().item(false); // the next recorded batch wakes the loop
        }
        int waiting = waiting();
        int permits = Math.min(pacer.available(LOOKAHEAD, waiting), pacer.limit() - calls.get());
        if (permits <= 0) {
            if (calls.get() < pacer.limit()) {
                wakeIn(pacer.untilAvailable(LOOKAHEAD, waiting));
            } // else the next batch that ends wakes the loop
            return Uni.createFrom().item(false);
        }
        int wanted = Math.min(permits, shared.config().dispatch().batchSize());
        // Read receipts first, up to half the tick: an agent is looking at the chat waiting for the blue
        // ticks, and each is one small call. Half, so a burst of receipts never starves the messages
        // (nor messages the receipts): permits one side leaves are used by the next tick right away.
        int readShare = (wanted + 1) / 2;
        long started = System.nanoTime();
        return shared.readReceipts().claim(sender, readShare, now).chain(receipts -> {
            int forMessages = wanted - receipts.size();
            String token = OutboundQueue.claimToken(shared.owner(), sender + "-" + claims.incrementAndGet());
            Uni<OutboundQueue.Claim<ClaimRules.ToSend>> messages = forMessages == 0
                    ? Uni.createFrom().item(new OutboundQueue.Claim<>(List.of(), 0))
                    : shared.queue().claim(sender, forMessages, token, shared.config().dispatch().lease(), now,
                            shared.rules());
            return messages.map(claim -> {
                shared.metrics().timer("wagateway_queue_claim_latency")
                        .record(Duration.ofNanos(System.nanoTime() - started));
                if (!claim.toSend().isEmpty() || !receipts.isEmpty()) {
                    startBatch(token, claim.toSend(), receipts);
                }
                return receipts.size() == readShare || forMessages > 0 && claim.claimed() == forMessages;
            });
        });
    }

    /**
     * Starts a claimed batch and returns: the loop may claim the next one while these calls are out. Its instants
     * are taken before this returns, so the next tick sees them gone.
     */
    private void startBatch(String token, List<ClaimRules.ToSend> toSend, List<DueReceipt> receipts) {
        inFlight.incrementAndGet();
        // the root of a background chain: its failures are handled here; deferred, so a failure while the
        // batch is set up (instants, request bodies) also ends in batchDone
        Uni.createFrom().deferred(() -> sendBatch(token, toSend, receipts)).subscribe().with(done -> batchDone(), failure -> {
            Log.errorf(failure, "Dispatch batch of sender %s failed; its rows return to the queue when their lease ends",
                    sender);
            batchDone();
        });
    }

    private void batchDone() {
        inFlight.decrementAndGet();
        if (!stopping) {
            context.run(this::wake);
        }
    }

    /** Sends messages and read receipts, each when the pacer lets it depart, then records both. */
    private Uni<Void> sendBatch(String token, List<ClaimRules.ToSend> toSend, List<DueReceipt> receipts) {
        calls.addAndGet(toSend.size() + receipts.size());
        List<Uni<Outcome>> sends = new ArrayList<>(toSend.size());
        for (ClaimRules.ToSend message : toSend) {
            sends.add(departure().chain(() -> send(message)).onTermination().invoke(calls::decrementAndGet));
        }
        List<Uni<ReadReceipts.Result>> reads = new ArrayList<>(receipts.size());
        for (DueReceipt receipt : receipts) {
            reads.add(departure().chain(() -> shared.readReceipts().send(settings, receipt, shared.clock().instant()))
                    .onTermination().invoke(calls::decrementAndGet));
        }
        // HTTP calls only (no session is shared), so both groups run at once
        return Uni.combine().all().unis(all(sends), all(reads)).asTuple().chain(done -> {
            List<Outcome> results = done.getItem1();
            List<ReadReceipts.Result> readDone = done.getItem2();
            Instant pause = pauseOnAuthError(results, readDone.stream().anyMatch(ReadReceipts.Result::authRefused));
            // the outcomes first, the pause after: whoever sees the sender paused finds the batch recorded. The
            // calls were made: when recording fails (a database hiccup) the record is retried, not the sends —
            // rows left in 'sending' would be sent again once their lease runs out
            return persistently(() -> shared.queue().record(results, token, shared.clock().instant()))
                    .chain(() -> persistently(() -> shared.readReceipts().record(readDone, shared.clock().instant())))
                    .chain(() -> pause == null ? Uni.createFrom().voidItem()
                            : shared.leases().pause(sender, pause, "access token refused"));
        });
    }

    /** Retries a write a few times over about ten seconds, well inside the batch's lease. */
    private static Uni<Void> persistently(Supplier<Uni<Void>> write) {
        return Uni.createFrom().<Void> deferred(write::get).onFailure().retry()
                .withBackOff(RECORD_RETRY_FIRST, RECORD_RETRY_MAX)
                .atMost(RECORD_ATTEMPTS);
    }

    /** Completes when the pacer lets one more send depart; sends depart in the order they asked. */
    private Uni<Void> departure() {
        return Uni.createFrom().emitter(emitter -> {
            synchronized (departures) {
                departures.add(() -> emitter.complete(null));
            }
            departNow();
        });
    }

    /** Lets out every send the pacer allows now; a timer comes back for the rest. */
    private void departNow() {
        List<Runnable> go = new ArrayList<>();
        synchronized (departures) {
            long wait = 0;
            while (!departures.isEmpty()) {
                wait = pacer.depart(System.nanoTime());
                if (wait > 0) {
                    break;
                }
                go.add(departures.poll());
            }
            if (!departures.isEmpty() && !departureTimerSet) {
                departureTimerSet = true;
                context.setTimer(wait / 1_000_000, id -> {
                    synchronized (departures) {
                        departureTimerSet = false;
                    }
                    departNow();
                });
            }
        }
        go.forEach(Runnable::run);
    }

    private int waiting() {
        synchronized (departures) {
            return departures.size();
        }
    }

    /** Every call of a batch at once: the pacer spaces them, and bounds how many are out. */
    private static <T> Uni<List<T>> all(List<Uni<T>> calls) {
        if (calls.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Multi.createFrom().iterable(calls).onItem().transformToUni(u -> u).merge(calls.size())
                .collect().asList();
    }

    private Uni<Outcome> send(ClaimRules.ToSend t) {
        var body = CloudApiRequests.body(shared.mapper(), t.message(), t.useFallback());
        return shared.cloudApi().send(settings, body)
                .map(answer -> shared.outcomes().answered(t.message(), t.useFallback(), answer,
                        shared.clock().instant(), ThreadLocalRandom.current()))
                .onFailure().recoverWithItem(failure -> shared.outcomes().failed(t.message(), failure,
                        shared.clock().instant(), ThreadLocalRandom.current()));
    }

    /**
     * Pauses this loop at once when the Cloud API refused the sender's token (190/0).
     *
     * @return until when, to be written to the sender's lease (other replicas); null when there is no pause
     */
    private Instant pauseOnAuthError(List<Outcome> results, boolean readReceiptRefused) {
        boolean auth = readReceiptRefused || results.stream()
                .anyMatch(o -> o instanceof Outcome.Retry r && ErrorClassifier.authRefused(r.code()));
        if (!auth) {
            return null;
        }
        Instant until = shared.clock().instant().plus(shared.config().dispatch().authPause());
        pausedUntil = until;
        Log.errorf("Sender %s is PAUSED until %s: the Cloud API refused its access token (190/0). "
                + "Rotate gateway.senders.%s.access-token; its queue is kept.", sender, until, sender);
        shared.metrics().counter("wagateway_sender_paused_total", "sender", sender).increment();
        return until;
    }

    private void wakeIn(long nanos) {
        if (timerSet) {
            return;
        }
        timerSet = true;
        context.setTimer(nanos / 1_000_000, id -> {
            timerSet = false;
            wake();
        });
    }
}
