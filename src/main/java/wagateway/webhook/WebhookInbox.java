package wagateway.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The raw webhooks Meta sent ({@code webhook_inbox}): stored before the 200 goes back, applied from here, so
 * nothing received is lost to a slow database or a bug. A row that fails to apply waits out a back-off before
 * it is claimed again; after {@code gateway.webhook.max-apply-attempts} real attempts it is {@code failed} until
 * an operator reapplies it.
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

    /**
     * Stores a signed body unless the same bytes arrived before (within {@link WebhookRetentionJob#DIGEST_KEPT}):
     * its SHA-256 goes into {@code webhook_digest} and the body into the inbox in ONE statement, so the answer to
     * Meta waits for nothing else and a body is never stored without its digest nor refused without a stored twin.
     *
     * @return the row id, or null for a body seen before (Meta's own retry, or a replay)
     */
    public Uni<Long> store(byte[] body) {
        var now = now();
        return pool.preparedQuery("with seen as (insert into webhook_digest (digest, seen_at) values ($1, $2) "
                + "on conflict (digest) do nothing returning digest) "
                + "insert into webhook_inbox (received_at, body) select $2, $3 from seen returning id")
                .execute(Tuple.of(Buffer.buffer(sha256(body)), now, new String(body, StandardCharsets.UTF_8)))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getLong("id") : null);
    }

    static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }

    /**
     * Locks a pending row for the caller's transaction. Skips one another replica (or the other trigger) is
     * applying right now.
     *
     * @return the row, or null when it is applied, failed, not due yet, or being applied elsewhere
     */
    Uni<Claimed> claim(SqlClient tx, long id) {
        return tx.preparedQuery("select id, body, attempts from webhook_inbox where id = $1 and state = 'pending' "
                + "and (next_attempt_at is null or next_attempt_at <= $2) for update skip locked")
                .execute(Tuple.of(id, now()))
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
     * Locks up to {@code limit} pending rows that are due, oldest first, for the caller's transaction; rows
     * another replica (or another drain) is applying are skipped, so drains never wait on each other, and rows
     * waiting out their back-off after a failure are left alone, so nudges do not burn their attempts.
     */
    Uni<List<Claimed>> claimPending(SqlClient tx, int limit) {
        return tx.preparedQuery("select id, body, attempts from webhook_inbox where state = 'pending' "
                + "and (next_attempt_at is null or next_attempt_at <= $2) order by id limit $1 for update skip locked")
                .execute(Tuple.of(limit, now()))
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
                .execute(Tuple.of(ids.toArray(Long[]::new), now()))
                .replaceWithVoid();
    }

    Uni<Void> markApplied(SqlClient tx, long id) {
        return tx.preparedQuery("update webhook_inbox set state = 'applied', applied_at = $2, attempts = attempts + 1, "
                + "last_error = null where id = $1")
                .execute(Tuple.of(id, now()))
                .replaceWithVoid();
    }

    /**
     * Counts a failed attempt (outside the rolled-back transaction) and sets when the row is due again. Only if
     * the row still has the attempts it was claimed with: between the rollback and this update another drain
     * may have claimed the still-due row and failed too, and two overlapping tries are one attempt.
     *
     * @return true when the row has now used up its attempts and is {@code failed}
     */
    Uni<Boolean> recordFailure(Claimed claimed, String error, int maxAttempts, Instant nextAttemptAt) {
        return pool.preparedQuery("update webhook_inbox set attempts = attempts + 1, last_error = $2, "
                + "next_attempt_at = $4, state = case when attempts + 1 >= $3 then 'failed' else 'pending' end "
                + "where id = $1 and state = 'pending' and attempts = $5 returning state")
                .execute(Tuple.of(claimed.id(), error, maxAttempts, nextAttemptAt.atOffset(ZoneOffset.UTC),
                        claimed.attempts()))
                .map(rows -> rows.iterator().hasNext() && "failed".equals(rows.iterator().next().getString("state")));
    }

    /**
     * Puts every {@code failed} row back to {@code pending}, due now, with its attempts from zero (its
     * {@code last_error} stays until it applies).
     *
     * @return how many rows were queued
     */
    Uni<Integer> reapplyFailed() {
        return pool.query("update webhook_inbox set state = 'pending', attempts = 0, next_attempt_at = null "
                + "where state = 'failed'")
                .execute()
                .map(rows -> rows.rowCount());
    }

    /** Pending webhooks at {@code now}: due, and waiting out a back-off after a failed apply. */
    public record Waiting(long due, long backoff) {
    }

    public Uni<Waiting> waiting(Instant now) {
        return pool.preparedQuery("select count(*) filter (where next_attempt_at is null or next_attempt_at <= $1), "
                + "count(*) filter (where next_attempt_at > $1) from webhook_inbox where state = 'pending'")
                .execute(Tuple.of(now.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Waiting(row.getLong(0), row.getLong(1));
                });
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

    private OffsetDateTime now() {
        return clock.instant().atOffset(ZoneOffset.UTC);
    }
}
