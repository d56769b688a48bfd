package wagateway.dispatch;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import wagateway.cloudapi.CloudApiClient;
import wagateway.config.GatewayConfig;
import wagateway.throttle.SenderLeases;
import wagateway.throttle.SlidingWindowRateLimiter;

/**
 * Drains the queue, and sends the read receipts owed ({@link ReadReceipts}): one {@link SenderLoop} per sender this replica
 * holds the lease of. Woken within
 * milliseconds by LISTEN/NOTIFY ({@link QueueListener}), by its own timers when the rate limiter frees
 * room, and by a slow fallback poll ({@link DispatchJob}). Nothing here sleeps.
 */
@ApplicationScoped
public class MessageDispatcher {

    /** A batch starts only while our sender lease has at least this long to run. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(15);

    /** Concurrent Cloud API calls per sender batch. */
    static final int SEND_CONCURRENCY = 64;

    /**
     * Batches of one sender in flight at once. A batch is claim → sends → record; with one at a time the
     * sender idles through every claim and record transaction and waits for the slowest answer of each
     * batch (measured: about a second per 100-message cycle under load, capping one sender far below
     * 1,000 mps). The next claim starts while earlier sends are out; the rate limiter still counts every
     * call, and claims stay serial (one tick at a time), so no row is claimed twice.
     */
    static final int BATCHES_IN_FLIGHT = 4;

    private final String owner = ownerId();
    private final Map<String, SenderLoop> loops = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> depth = new ConcurrentHashMap<>();
    private final OutboundQueue queue;
    private final SenderLeases leases;
    private final CloudApiClient cloudApi;
    private final CircuitBreakerMaintenance breakers;
    private final GatewayConfig config;
    private final Clock clock;
    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final MeterRegistry metrics;
    private final OutcomeMapper outcomes;
    private final ReadReceipts readReceipts;
    private volatile boolean stopping;

    MessageDispatcher(OutboundQueue queue, SenderLeases leases, CloudApiClient cloudApi,
            CircuitBreakerMaintenance breakers, GatewayConfig config, Clock clock, Vertx vertx, ObjectMapper mapper,
            MeterRegistry metrics, ReadReceipts readReceipts) {
        this.queue = queue;
        this.readReceipts = readReceipts;
        this.leases = leases;
        this.cloudApi = cloudApi;
        this.breakers = breakers;
        this.config = config;
        this.clock = clock;
        this.vertx = vertx;
        this.mapper = mapper;
        this.metrics = metrics;
        var d = config.dispatch();
        this.outcomes = new OutcomeMapper(new RetrySchedule(d.retryInitialBackoff(), d.retryMaxBackoff(), d.maxAttempts()),
                config.pairRate().minInterval(), Duration.ofSeconds(5), d.authPause());
        for (String status : List.of("scheduled", "queued", "sending")) {
            AtomicLong value = new AtomicLong();
            depth.put(status, value);
            Gauge.builder("wagateway_queue_depth", value, AtomicLong::get).tag("status", status).register(metrics);
        }
    }

    /**
     * One slow tick: renew leases, put back rows of crashed replicas, refresh the depth gauge, wake every
     * sender we hold. Returned to the scheduler, which owns the subscription.
     */
    public Uni<Void> poll() {
        if (stopping || !config.dispatch().enabled()) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        return leases.acquire(owner, config.senderNames(), now, config.dispatch().lease())
                .invoke(this::adopt)
                .chain(() -> queue.reclaimExpiredLeases(now))
                .invoke(n -> {
                    if (n > 0) {
                        Log.warnf("Reclaimed %d messages whose lease expired (a replica stopped mid-batch)", n);
                    }
                })
                .chain(queue::depth)
                .invoke(d -> d.forEach((status, count) -> depth.get(status).set(count)))
                .invoke(this::wakeAll)
                .replaceWithVoid();
    }

    /** Starts loops for newly held senders, stops those another replica took, applies pauses. */
    private void adopt(Map<String, SenderLeases.Held> held) {
        Instant leaseUntil = clock.instant().plus(config.dispatch().lease());
        held.forEach((name, h) -> {
            SenderLoop loop = loops.computeIfAbsent(name, n -> new SenderLoop(n));
            loop.pausedUntil = h.pausedUntil();
            loop.leaseUntil = leaseUntil;
        });
        // a sender another replica now drives: stop at once, whatever our in-memory lease said
        loops.forEach((name, loop) -> {
            if (!held.containsKey(name)) {
                loop.leaseUntil = Instant.MIN;
            }
        });
        // a loop with batches still out stays: idle() must keep seeing them, and a re-acquired sender must
        // find its limiter with their slots
        loops.keySet().removeIf(name -> !held.containsKey(name) && !loops.get(name).running
                && loops.get(name).inFlight.get() == 0);
    }

    /** Wakes every sender loop (a NOTIFY arrived, or the poll ticked). */
    public void wakeAll() {
        if (!stopping) {
            loops.values().forEach(SenderLoop::wake);
        }
    }

    /** Graceful shutdown: stop claiming; callers wait with {@link #idle()} and then release. */
    public void stop() {
        stopping = true;
    }

    public boolean idle() {
        return loops.values().stream().noneMatch(l -> l.running || l.inFlight.get() > 0);
    }

    /** Gives back this replica's leases and any row it still holds. */
    public Uni<Integer> release() {
        loops.values().forEach(loop -> loop.leaseUntil = Instant.MIN);
        // a batch already claimed finishes first: releasing under it would let the next owner send
        // in the same second as our last sends
        return Multi.createFrom().ticks().every(Duration.ofMillis(20)).select().first(tick -> idle()).toUni()
                .ifNoItem().after(GracefulShutdown.IN_FLIGHT_GRACE).recoverWithItem(0L)
                .chain(() -> {
                    Instant now = clock.instant();
                    return queue.releaseLeases(owner, now).call(() -> leases.release(owner, now));
                });
    }

    /**
     * The loop of one sender: claim → rules → throttle → send → record, one batch at a time. Read receipts
     * go in the same batches, through the same limiter, breaker check and lease: only the replica driving
     * a sender calls the API for it.
     */
    final class SenderLoop {

        private final String sender;
        private final GatewayConfig.Sender settings;
        private final SlidingWindowRateLimiter limiter;
        private volatile boolean running;
        private volatile boolean again;
        /** Batches sent and not yet recorded ({@link #BATCHES_IN_FLIGHT}). */
        private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        private volatile boolean timerSet;
        private volatile Instant pausedUntil;
        /** Our lease on the sender, as last renewed; past it another replica may drive the sender. */
        private volatile Instant leaseUntil = Instant.MIN;

        SenderLoop(String sender) {
            this.sender = sender;
            this.settings = config.senders().get(sender);
            this.limiter = new SlidingWindowRateLimiter(settings.messagesPerSecond(), Duration.ofSeconds(1));
        }

        void wake() {
            synchronized (this) {
                if (running) {
                    again = true;
                    return;
                }
                running = true;
                again = false;
            }
            // the root of a background chain: no framework to hand it to, so failures are handled here
            tick().subscribe().with(more -> finish(more), failure -> {
                Log.errorf(failure, "Dispatch batch of sender %s failed; its rows return to the queue when their lease ends",
                        sender);
                finish(false);
            });
        }

        private void finish(boolean more) {
            boolean rerun;
            synchronized (this) {
                running = false;
                rerun = more || again;
            }
            if (rerun && !stopping) {
                vertx.runOnContext(this::wake);
            }
        }

        /** @return whether more may be due right away */
        private Uni<Boolean> tick() {
            Instant now = clock.instant();
            // a batch may take up to the Cloud API timeout: only start one well inside our lease
            if (stopping || pausedUntil != null && pausedUntil.isAfter(now) || !now.plus(LEASE_MARGIN).isBefore(leaseUntil)) {
                return Uni.createFrom().item(false);
            }
            if (breakers.currentState(CloudApiClient.BREAKER) == CircuitBreakerState.OPEN) {
                // the API is unhealthy: claim nothing, lose nothing; the poll tries again
                return Uni.createFrom().item(false);
            }
            if (inFlight.get() >= BATCHES_IN_FLIGHT) {
                return Uni.createFrom().item(false); // the next recorded batch wakes the loop
            }
            int permits = limiter.available(now);
            if (permits == 0) {
                Instant next = limiter.nextAvailable(now);
                if (next != null) {
                    wakeAt(next, now);
                }
                return Uni.createFrom().item(false);
            }
            int wanted = Math.min(permits, config.dispatch().batchSize());
            // Read receipts first, up to half the tick: an agent is looking at the chat waiting for the blue
            // ticks, and each is one small call. Half, so a burst of receipts never starves the messages
            // (nor messages the receipts): permits one side leaves are used by the next tick right away.
            int readShare = (wanted + 1) / 2;
            long started = System.nanoTime();
            return readReceipts.claim(sender, readShare, now).chain(receipts -> {
                int forMessages = wanted - receipts.size();
                Uni<OutboundQueue.Claim> messages = forMessages == 0
                        ? Uni.createFrom().item(new OutboundQueue.Claim(List.of(), 0))
                        : queue.claim(sender, forMessages, owner, now);
                return messages.chain(claim -> {
                    metrics.timer("wagateway_queue_claim_latency").record(Duration.ofNanos(System.nanoTime() - started));
                    boolean more = receipts.size() == readShare || forMessages > 0 && claim.claimed() == forMessages;
                    if (claim.toSend().isEmpty() && receipts.isEmpty()) {
                        return Uni.createFrom().item(more);
                    }
                    startBatch(claim.toSend(), receipts);
                    return Uni.createFrom().item(more);
                });
            });
        }

        /**
         * Starts a claimed batch and returns: the loop may claim the next one while these calls are out.
         * Its slots are taken before this returns, so the next tick sees them gone.
         */
        private void startBatch(List<OutboundQueue.ToSend> toSend, List<ReadReceipts.Claimed> receipts) {
            inFlight.incrementAndGet();
            // the root of a background chain, like wake(): its failures are handled here
            // deferred: a failure while the batch is set up (slots, request bodies) also ends in batchDone
            Uni.createFrom().deferred(() -> sendBatch(toSend, receipts)).subscribe().with(done -> batchDone(), failure -> {
                Log.errorf(failure, "Dispatch batch of sender %s failed; its rows return to the queue when their lease ends",
                        sender);
                batchDone();
            });
        }

        private void batchDone() {
            inFlight.decrementAndGet();
            if (!stopping) {
                vertx.runOnContext(this::wake);
            }
        }

        /** Sends messages and read receipts concurrently, each on its own rate-limiter slot, then records both. */
        private Uni<Void> sendBatch(List<OutboundQueue.ToSend> toSend, List<ReadReceipts.Claimed> receipts) {
            int[] slots = limiter.acquire(clock.instant(), toSend.size() + receipts.size());
            List<Uni<Outcome>> sends = new java.util.ArrayList<>(toSend.size());
            for (int i = 0; i < toSend.size(); i++) {
                int slot = slots[i];
                // the slot stays taken until a window after the answer: see SlidingWindowRateLimiter
                sends.add(send(toSend.get(i)).onTermination().invoke(() -> limiter.completed(slot, clock.instant())));
            }
            List<Uni<ReadReceipts.Result>> reads = new java.util.ArrayList<>(receipts.size());
            for (int i = 0; i < receipts.size(); i++) {
                int slot = slots[toSend.size() + i];
                reads.add(readReceipts.send(settings, receipts.get(i), clock.instant())
                        .onTermination().invoke(() -> limiter.completed(slot, clock.instant())));
            }
            // HTTP calls only (no session is shared), so both groups run at once
            return Uni.combine().all().unis(all(sends), all(reads)).asTuple().chain(done -> {
                List<Outcome> results = done.getItem1();
                List<ReadReceipts.Result> readDone = done.getItem2();
                return pauseOnAuthError(results, readDone.stream().anyMatch(ReadReceipts::authRefused))
                        .chain(() -> queue.record(results, owner, clock.instant()))
                        .chain(() -> readReceipts.record(readDone, clock.instant()));
            });
        }

        private <T> Uni<List<T>> all(List<Uni<T>> calls) {
            if (calls.isEmpty()) {
                return Uni.createFrom().item(List.of());
            }
            return Multi.createFrom().iterable(calls).onItem().transformToUni(u -> u).merge(SEND_CONCURRENCY)
                    .collect().asList();
        }

        private Uni<Outcome> send(OutboundQueue.ToSend t) {
            var body = CloudApiRequests.body(mapper, t.message(), t.useFallback());
            return cloudApi.send(settings, body)
                    .map(answer -> outcomes.answered(t.message(), t.useFallback(), answer, clock.instant(),
                            ThreadLocalRandom.current()))
                    .onFailure().recoverWithItem(failure -> outcomes.failed(t.message(), failure, clock.instant(),
                            ThreadLocalRandom.current()));
        }

        private Uni<Void> pauseOnAuthError(List<Outcome> results, boolean readReceiptRefused) {
            boolean auth = readReceiptRefused || results.stream().anyMatch(o -> o instanceof Outcome.Retry r && r.code() != null
                    && SendErrorClassifier.classify(r.code(), 401) == SendErrorClassifier.Disposition.AUTH);
            if (!auth) {
                return Uni.createFrom().voidItem();
            }
            Instant until = clock.instant().plus(config.dispatch().authPause());
            pausedUntil = until;
            Log.errorf("Sender %s is PAUSED until %s: the Cloud API refused its access token (190/0). "
                    + "Rotate gateway.senders.%s.access-token; its queue is kept.", sender, until, sender);
            metrics.counter("wagateway_sender_paused_total", "sender", sender).increment();
            return leases.pause(sender, until, "access token refused");
        }

        private void wakeAt(Instant at, Instant now) {
            if (timerSet) {
                return;
            }
            timerSet = true;
            long delay = Math.max(1, Duration.between(now, at).toMillis());
            vertx.setTimer(delay, id -> {
                timerSet = false;
                wake();
            });
        }
    }

    private static String ownerId() {
        String host = System.getenv().getOrDefault("HOSTNAME", ManagementFactory.getRuntimeMXBean().getName());
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
