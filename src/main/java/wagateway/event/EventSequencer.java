package wagateway.event;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Gives committed events their stream position, in commit order.
 *
 * <p>
 * {@code event_outbox.id} is allocated at insert and becomes visible at commit, so a transaction holding a
 * small id can commit after one holding a larger id: a reader tailing {@code id > last} would skip it for
 * good. Instead, one short transaction at a time (a transaction-scoped advisory lock, so also across replicas)
 * stamps every visible unpositioned row with the next values of {@code event_stream_position}. A stamping
 * transaction's statement snapshot is taken after the previous one committed, and its positions are only
 * handed out after all earlier ones are visible: {@code position > last} never skips. A row that commits late
 * simply gets a later position. Rolled-back stamps burn numbers; readers never wait for a gap, so that is
 * harmless.
 */
@ApplicationScoped
public class EventSequencer {

    /** Stamps per transaction: the lock is held for one small update. */
    static final int BATCH = 1000;

    private static final String LOCK = "select pg_advisory_xact_lock(hashtext('wagateway.event_stream'))";

    /** Within one stamp, positions follow id order (the order the events were appended in). */
    private static final String STAMP = """
            with due as (select id from event_outbox where position is null order by id limit $1 for update),
            numbered as (select id, nextval('event_stream_position') as pos from (select id from due order by id) d)
            update event_outbox o set position = n.pos from numbered n where o.id = n.id""";

    private final Pool pool;

    EventSequencer(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stamps on a timer too, not only while some replica has stream subscribers: otherwise a deployment
     * that only uses callbacks would pile up unstamped rows for days, and the first subscriber would wait
     * for all of them to be stamped at once.
     */
    @Scheduled(identity = "event-sequencer", every = "PT1S", delayed = "PT5S", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> stampOnTimer() {
        return stamp().replaceWithVoid();
    }

    /** Stamps every committed event that has no position yet. @return how many were stamped */
    public Uni<Integer> stamp() {
        // the common idle case costs one index probe, not a transaction with a lock
        return pool.query("select exists (select 1 from event_outbox where position is null)").execute()
                .chain(rows -> rows.iterator().next().getBoolean(0) ? stampAll() : Uni.createFrom().item(0));
    }

    private Uni<Integer> stampAll() {
        return stampBatch().chain(n -> n < BATCH ? Uni.createFrom().item(n) : stampAll().map(more -> n + more));
    }

    private Uni<Integer> stampBatch() {
        return pool.withTransaction(tx -> tx.query(LOCK).execute()
                .chain(() -> tx.preparedQuery(STAMP).execute(Tuple.of(BATCH)))
                .map(rows -> rows.rowCount()));
    }
}
