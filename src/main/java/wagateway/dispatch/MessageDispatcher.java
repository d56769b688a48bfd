package wagateway.dispatch;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import wagateway.cloudapi.CloudApiClient;
import wagateway.cloudapi.RetryPolicy;
import wagateway.config.GatewayConfig;
import wagateway.message.OutboundQueue;
import wagateway.receipt.ReadReceipts;
import wagateway.throttle.SenderLeases;
import wagateway.wakeup.QueueSignal;

/**
 * Drains the queue, and sends the read receipts owed: one {@link SenderLoop} per sender this replica holds the
 * lease of. Woken within milliseconds by {@link QueueSignal} (work committed on this replica, or a NOTIFY from
 * another), by each loop's own timers when its rate limiter frees room, and by a slow fallback poll
 * ({@link DispatchJob}). Nothing here sleeps.
 */
@ApplicationScoped
public class MessageDispatcher {

    private final String owner = ownerId();
    private final Map<String, SenderLoop> loops = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> depth = new ConcurrentHashMap<>();
    private final OutboundQueue queue;
    private final SenderLeases leases;
    private final GatewayConfig config;
    private final Clock clock;
    private final SenderLoop.Shared shared;
    private volatile boolean stopping;
    /** Drain mode: the senders this run took at its start, the only ones its poll renews; null until then. */
    private volatile List<String> drainSenders;

    MessageDispatcher(OutboundQueue queue, ClaimRules rules, SenderLeases leases, CloudApiClient cloudApi,
            CircuitBreakerMaintenance breakers, GatewayConfig config, Clock clock, Vertx vertx, ObjectMapper mapper,
            MeterRegistry metrics, ReadReceipts readReceipts, RetryPolicy retries, QueueSignal signal) {
        this.queue = queue;
        this.leases = leases;
        this.config = config;
        this.clock = clock;
        this.shared = new SenderLoop.Shared(queue, rules, readReceipts, cloudApi, breakers, leases,
                new OutcomeMapper(retries, config.pairRate().minInterval(),
                        config.dispatch().unknownOutcomeWait()),
                config, clock, vertx, mapper, metrics,
                owner);
        for (String status : List.of("scheduled", "queued", "sending")) {
            AtomicLong value = new AtomicLong();
            depth.put(status, value);
            Gauge.builder("wagateway_queue_depth", value, AtomicLong::get).tag("status", status).register(metrics);
        }
        signal.onWake(this::wakeAll);
    }

    /**
     * One slow tick: renew leases, put back rows of crashed replicas, refresh the depth gauge, wake every sender we
     * hold. Returned to the scheduler, which owns the subscription.
     */
    public Uni<Void> poll() {
        List<String> senders = config.dispatch().mode() == GatewayConfig.Mode.DRAIN ? drainSenders
                : config.senderNames();
        if (stopping || !config.dispatch().enabled() || senders == null) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        return leases.acquire(owner, senders, now, config.dispatch().lease())
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

    /**
     * Drain mode: takes the leases of the senders no live replica holds (a loop's lease is left alone, so a sender is
     * still driven by one process at a time), puts back rows of crashed replicas and starts the loops. From then on
     * the poll renews these leases only.
     *
     * @return the senders taken, with their pauses
     */
    Uni<Map<String, SenderLeases.Held>> beginDrain() {
        Instant now = clock.instant();
        return leases.acquire(owner, config.senderNames(), now, config.dispatch().lease())
                .invoke(held -> {
                    drainSenders = List.copyOf(held.keySet());
                    adopt(held);
                })
                .call(() -> queue.reclaimExpiredLeases(now))
                .invoke(this::wakeAll);
    }

    /** The drained senders whose loop may send now (not paused by a refused token). */
    List<String> sendingSenders() {
        Instant now = clock.instant();
        return loops.entrySet().stream().filter(e -> !e.getValue().paused(now)).map(Map.Entry::getKey).toList();
    }

    /** This process's lease owner id (logs). */
    String owner() {
        return owner;
    }

    /** Starts loops for newly held senders, stops those another replica took, applies pauses. */
    private void adopt(Map<String, SenderLeases.Held> held) {
        Instant leaseUntil = clock.instant().plus(config.dispatch().lease());
        held.forEach((name, h) -> loops.computeIfAbsent(name, n -> new SenderLoop(n, shared))
                .held(leaseUntil, h.pausedUntil()));
        loops.forEach((name, loop) -> {
            if (!held.containsKey(name)) {
                loop.lost();
            }
        });
        // a loop with batches still out stays: idle() must keep seeing them, and a re-acquired sender must find
        // its limiter with their slots
        loops.keySet().removeIf(name -> !held.containsKey(name) && !loops.get(name).busy());
    }

    /** Wakes every sender loop (work was committed, or the poll ticked). */
    public void wakeAll() {
        if (!stopping && config.dispatch().enabled()) {
            loops.values().forEach(SenderLoop::wake);
        }
    }

    /** Graceful shutdown: stop claiming; callers wait with {@link #idle()} and then release. */
    public void stop() {
        stopping = true;
        loops.values().forEach(SenderLoop::stop);
    }

    public boolean idle() {
        return loops.values().stream().noneMatch(SenderLoop::busy);
    }

    /** Gives back this replica's leases and any row it still holds. */
    public Uni<Integer> release() {
        loops.values().forEach(SenderLoop::lost);
        // a batch already claimed finishes first: releasing under it would let the next owner send in the same
        // second as our last sends
        // where, not first(predicate): first takes items while the predicate holds, so a busy first tick ended
        // the wait at once and released under the batch
        return Multi.createFrom().ticks().every(Duration.ofMillis(20)).onOverflow().drop()
                .select().where(tick -> idle()).toUni()
                .ifNoItem().after(GracefulShutdown.IN_FLIGHT_GRACE).recoverWithItem(0L)
                .chain(() -> {
                    Instant now = clock.instant();
                    return queue.releaseLeases(owner, now).call(() -> leases.release(owner, now));
                });
    }

    private static String ownerId() {
        String host = System.getenv().getOrDefault("HOSTNAME", ManagementFactory.getRuntimeMXBean().getName());
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
