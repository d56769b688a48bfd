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
 * Drains the queue: one {@link SenderLoop} per sender this replica holds the lease of. Woken within
 * milliseconds by LISTEN/NOTIFY ({@link QueueListener}), by its own timers when the rate limiter frees
 * room, and by a slow fallback poll ({@link DispatchJob}). Nothing here sleeps.
 */
@ApplicationScoped
public class MessageDispatcher {

    /** A batch starts only while our sender lease has at least this long to run. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(15);

    /** Concurrent Cloud API calls per sender batch. */
    static final int SEND_CONCURRENCY = 64;

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
    private volatile boolean stopping;

    MessageDispatcher(OutboundQueue queue, SenderLeases leases, CloudApiClient cloudApi,
            CircuitBreakerMaintenance breakers, GatewayConfig config, Clock clock, Vertx vertx, ObjectMapper mapper,
            MeterRegistry metrics) {
        this.queue = queue;
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

    public String owner() {
        return owner;
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
        loops.keySet().removeIf(name -> !held.containsKey(name) && !loops.get(name).running);
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
        return loops.values().stream().noneMatch(l -> l.running);
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

    /** The loop of one sender: claim → rules → throttle → send → record, one batch at a time. */
    final class SenderLoop {

        private final String sender;
        private final GatewayConfig.Sender settings;
        private final SlidingWindowRateLimiter limiter;
        private volatile boolean running;
        private volatile boolean again;
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
                Log.errorf(failure, "Dispatch batch of sender %s failed; its rows return to the queue when their lease ends", sender);
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
            int permits = limiter.available(now);
            if (permits == 0) {
                Instant next = limiter.nextAvailable(now);
                if (next != null) {
                    wakeAt(next, now);
                }
                return Uni.createFrom().item(false);
            }
            int wanted = Math.min(permits, config.dispatch().batchSize());
            long started = System.nanoTime();
            return queue.claim(sender, wanted, owner, now).chain(claim -> {
                metrics.timer("wagateway_queue_claim_latency").record(Duration.ofNanos(System.nanoTime() - started));
                if (claim.toSend().isEmpty()) {
                    return Uni.createFrom().item(claim.claimed() == wanted);
                }
                int[] slots = limiter.acquire(clock.instant(), claim.toSend().size());
                List<Uni<Outcome>> sends = new java.util.ArrayList<>(slots.length);
                for (int i = 0; i < slots.length; i++) {
                    int slot = slots[i];
                    // the slot stays taken until a window after the answer: see SlidingWindowRateLimiter
                    sends.add(send(claim.toSend().get(i)).onTermination().invoke(() -> limiter.completed(slot, clock.instant())));
                }
                return Multi.createFrom().iterable(sends)
                        .onItem().transformToUni(u -> u).merge(SEND_CONCURRENCY)
                        .collect().asList()
                        .call(results -> pauseOnAuthError(results))
                        .chain(results -> queue.record(results, owner, clock.instant()))
                        .replaceWith(claim.claimed() == wanted);
            });
        }

        private Uni<Outcome> send(OutboundQueue.ToSend t) {
            var body = CloudApiRequests.body(mapper, t.message(), t.useFallback());
            return cloudApi.send(settings, body)
                    .map(answer -> outcomes.answered(t.message(), t.useFallback(), answer, clock.instant(),
                            ThreadLocalRandom.current()))
                    .onFailure().recoverWithItem(failure -> outcomes.failed(t.message(), failure, clock.instant(),
                            ThreadLocalRandom.current()));
        }

        private Uni<Void> pauseOnAuthError(List<Outcome> results) {
            boolean auth = results.stream().anyMatch(o -> o instanceof Outcome.Retry r && r.code() != null
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
