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

/**
 * Keeps the outbox to {@code gateway.events.retention}: without it every status and inbound message would
 * stay forever (three or more rows per message). Events still pending delivery are never purged. Deletes
 * in bounded chunks, oldest first by id (ids grow with time, so the primary key finds them), so one run
 * never holds long locks; a backlog is worked off over a few runs.
 */
@ApplicationScoped
public class EventRetentionJob {

    static final int CHUNK = 5_000;

    private static final String PURGE = "delete from event_outbox where id in (select id from event_outbox "
            + "where created_at < $1 and state <> 'pending' order by id limit " + CHUNK + ")";

    private final Pool pool;
    private final GatewayConfig config;
    private final Clock clock;

    EventRetentionJob(Pool pool, GatewayConfig config, Clock clock) {
        this.pool = pool;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(identity = "event-retention", every = "PT1M", delayed = "PT30S",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduled() {
        return purge().replaceWithVoid();
    }

    /** @return how many events were deleted (at most {@value #CHUNK}) */
    public Uni<Integer> purge() {
        var before = clock.instant().minus(config.events().retention()).atOffset(ZoneOffset.UTC);
        return pool.preparedQuery(PURGE).execute(Tuple.of(before)).map(rows -> {
            if (rows.rowCount() > 0) {
                Log.debugf("Purged %d events older than %s", rows.rowCount(), config.events().retention());
            }
            return rows.rowCount();
        });
    }
}
