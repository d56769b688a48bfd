package wagateway.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The raw webhooks Meta sent ({@code webhook_inbox}): stored before the 200 goes back, applied from here, so
 * nothing received is lost to a slow database or a bug.
 */
@ApplicationScoped
public class WebhookInbox {

    /** One stored webhook claimed for applying. */
    record Claimed(long id, String body, int attempts) {
    }

    private final Pool pool;
    private final Clock clock;

    WebhookInbox(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** One statement, so the answer to Meta waits for nothing else. @return the row id */
    public Uni<Long> store(String body) {
        return pool.preparedQuery("insert into webhook_inbox (received_at, body) values ($1, $2) returning id")
                .execute(Tuple.of(clock.instant().atOffset(ZoneOffset.UTC), body))
                .map(rows -> rows.iterator().next().getLong("id"));
    }

    /**
     * Locks a pending row for the caller's transaction. Skips one another replica (or the other trigger) is
     * applying right now.
     *
     * @return the row, or null when it is applied, failed, or being applied elsewhere
     */
    Uni<Claimed> claim(SqlClient tx, long id) {
        return tx.preparedQuery("select id, body, attempts from webhook_inbox where id = $1 and state = 'pending' "
                + "for update skip locked")
                .execute(Tuple.of(id))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return null;
                    }
                    Row row = it.next();
                    return new Claimed(row.getLong("id"), row.getString("body"), row.getInteger("attempts"));
                });
    }

    /**
     * Locks up to {@code limit} pending rows, oldest first, for the caller's transaction; rows another replica
     * (or another drain) is applying are skipped, so drains never wait on each other.
     */
    Uni<List<Claimed>> claimPending(SqlClient tx, int limit) {
        return tx.preparedQuery("select id, body, attempts from webhook_inbox where state = 'pending' "
                + "order by id limit $1 for update skip locked")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<Claimed> claimed = new ArrayList<>();
                    rows.forEach(row -> claimed.add(new Claimed(row.getLong("id"), row.getString("body"),
                            row.getInteger("attempts"))));
                    return claimed;
                });
    }

    Uni<Void> markApplied(SqlClient tx, List<Long> ids) {
        return tx.preparedQuery("update webhook_inbox set state = 'applied', applied_at = $2, attempts = attempts + 1, "
                + "last_error = null where id = any($1)")
                .execute(Tuple.of(ids.toArray(Long[]::new), clock.instant().atOffset(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    Uni<Void> markApplied(SqlClient tx, long id) {
        return tx.preparedQuery("update webhook_inbox set state = 'applied', applied_at = $2, attempts = attempts + 1, "
                + "last_error = null where id = $1")
                .execute(Tuple.of(id, clock.instant().atOffset(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    /**
     * Counts a failed attempt (outside the rolled-back transaction).
     *
     * @return true when the row has now used up its attempts and is {@code failed}
     */
    Uni<Boolean> recordFailure(long id, String error, int maxAttempts) {
        return pool.preparedQuery("update webhook_inbox set attempts = attempts + 1, last_error = $2, "
                + "state = case when attempts + 1 >= $3 then 'failed' else 'pending' end "
                + "where id = $1 and state = 'pending' returning state")
                .execute(Tuple.of(id, error, maxAttempts))
                .map(rows -> rows.iterator().hasNext() && "failed".equals(rows.iterator().next().getString("state")));
    }

    /** @return {pending, failed} row counts */
    Uni<long[]> counts() {
        return pool.query("select count(*) filter (where state = 'pending') as pending, "
                + "count(*) filter (where state = 'failed') as failed "
                + "from webhook_inbox where state in ('pending', 'failed')")
                .execute()
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new long[] { row.getLong("pending"), row.getLong("failed") };
                });
    }

    /** Applied raw bodies hold personal data: they go once the retention has passed. */
    Uni<Integer> purgeApplied(Duration retention) {
        return pool.preparedQuery("delete from webhook_inbox where id in (select id from webhook_inbox "
                + "where state = 'applied' and applied_at < $1 limit 1000)")
                .execute(Tuple.of(clock.instant().minus(retention).atOffset(ZoneOffset.UTC)))
                .map(rows -> rows.rowCount());
    }
}
