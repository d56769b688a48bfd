package wagateway.message;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.support.Times;

/**
 * Statuses whose wamid we did not know yet ({@code orphan_status}): Meta can report {@code sent} before the
 * dispatcher has recorded the wamid the send returned. {@link MetaStatusApplier} keeps them and applies them as
 * soon as the wamid is recorded (by the send outcome, or by a status matched through
 * {@code biz_opaque_callback_data}); this periodic sweep catches any race between the two, and drops what
 * never finds its message.
 */
@ApplicationScoped
public class OrphanStatuses {

    private final MetaStatusApplier applier;
    private final Pool pool;
    private final Clock clock;

    OrphanStatuses(MetaStatusApplier applier, Pool pool, Clock clock) {
        this.applier = applier;
        this.pool = pool;
        this.clock = clock;
    }

    /** Applies kept statuses whose wamid has meanwhile been recorded, each message in its own transaction. */
    public Uni<Void> sweep() {
        return pool.query("select distinct o.wamid from orphan_status o "
                + "join outbound_message m on m.wamid = o.wamid limit 100").execute()
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .onItem().transformToUniAndConcatenate(row -> pool.withTransaction(
                        tx -> applier.applyKept(tx, List.of(row.getString("wamid")))))
                .collect().last().replaceWithVoid();
    }

    /** Statuses of messages that never show up (another system's, on the same number) are not kept forever. */
    public Uni<Void> purge(Duration retention) {
        return pool.preparedQuery("delete from orphan_status where received_at < $1")
                .execute(Tuple.of(Times.utc(clock.instant().minus(retention)))).replaceWithVoid();
    }
}
