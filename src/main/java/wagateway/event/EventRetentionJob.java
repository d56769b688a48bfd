package wagateway.event;

import java.time.Clock;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.config.GatewayConfig;
import wagateway.support.ChunkedDelete;

/**
 * Keeps the outbox to {@code gateway.events.retention}: without it every status and inbound message would
 * stay forever (three or more rows per message). Events still pending delivery are never purged. Deletes
 * in chunks of {@value #CHUNK} (short transactions, no long locks), as many as are due up to
 * {@value #MAX_CHUNKS} a run: 1.5 million events a minute, far above what the gateway appends. Old rows are
 * found through the BRIN index on {@code created_at} (V10), not by walking the table.
 */
@ApplicationScoped
public class EventRetentionJob {

    static final int CHUNK = 5_000;
    static final int MAX_CHUNKS = 300;

    private static final String PURGE = "delete from event_outbox where id in (select id from event_outbox "
            + "where created_at < $1 and state <> 'pending' limit " + CHUNK + ")";

    private final Pool pool;
    private final GatewayConfig config;
    private final Clock clock;

    EventRetentionJob(Pool pool, GatewayConfig config, Clock clock) {
        this.pool = pool;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(identity = "event-retention", every = "PT1M", delayed = "PT30S", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduled() {
        return purge().replaceWithVoid();
    }

    /** @return how many events were deleted */
    public Uni<Integer> purge() {
        var before = clock.instant().minus(config.events().retention()).atOffset(ZoneOffset.UTC);
        return ChunkedDelete.run(pool, PURGE, Tuple.of(before), CHUNK, MAX_CHUNKS).invoke(n -> {
            if (n > 0) {
                Log.debugf("Purged %d events older than %s", n, config.events().retention());
            }
        });
    }
}
