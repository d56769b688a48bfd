package wagateway.receipt;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.dispatch.QueueSignal;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * Asks for the read receipt of an inbound message, once: the row becomes {@code pending} and the sender's
 * dispatcher sends it ({@link wagateway.dispatch.ReadReceipts}). No Cloud API call happens here, so neither the
 * API nor the webhook path ever waits on Meta, and a request survives a restart.
 */
@ApplicationScoped
public class ReadRequests {

    /** Only a message never asked about changes: a second request (or a request after mark-on-arrival) is a no-op. */
    private static final String REQUEST = "update inbound_message set read_state = 'pending', read_requested_at = $3, "
            + "read_typing = $4, read_next_attempt_at = $3 "
            + "where (id = $1 or wamid = $2) and read_state is null and sender is not null "
            + "returning id, wamid, sender, read_state, read_at, read_typing, read_error_code, read_error_title";

    private static final String CURRENT = "select id, wamid, sender, read_state, read_at, read_typing, read_error_code, "
            + "read_error_title from inbound_message where id = $1 or wamid = $2";

    private final Pool pool;
    private final QueueSignal signal;
    private final Clock clock;

    ReadRequests(Pool pool, QueueSignal signal, Clock clock) {
        this.pool = pool;
        this.signal = signal;
        this.clock = clock;
    }

    /** What a request found: the message's read state, and whether this request is the one that asked. */
    public record Requested(ReadReceiptView view, boolean first) {
    }

    /**
     * @param key our inbound message id (a UUID) or the message's wamid
     * @throws ProblemException (in the Uni) 404 for an unknown message, 422 for one of ours or one that came to
     *         a business number no sender is configured for
     */
    public Uni<Requested> request(String key, boolean typing) {
        UUID id = parseUuid(key);
        String wamid = id == null ? key : null;
        Tuple args = Tuple.tuple().addUUID(id).addString(wamid).addOffsetDateTime(utc(clock.instant())).addBoolean(typing);
        return pool.preparedQuery(REQUEST).execute(args).chain(updated -> {
            if (updated.rowCount() > 0) {
                signal.accepted(); // committed: the sender's dispatcher may claim it now
                return Uni.createFrom().item(new Requested(view(updated.iterator().next()), true));
            }
            return pool.preparedQuery(CURRENT).execute(Tuple.tuple().addUUID(id).addString(wamid)).chain(rows -> {
                if (rows.iterator().hasNext()) {
                    Row row = rows.iterator().next();
                    if (row.getString("sender") == null) {
                        return Uni.createFrom().failure(unprocessable("no-sender", "Message " + key
                                + " came to a business number no configured sender uses: no read receipt can be sent for it"));
                    }
                    return Uni.createFrom().item(new Requested(view(row), false));
                }
                return pool.preparedQuery("select 1 from outbound_message where id = $1 or wamid = $2")
                        .execute(Tuple.tuple().addUUID(id).addString(wamid))
                        .chain(outbound -> Uni.createFrom().failure(outbound.iterator().hasNext()
                                ? unprocessable("not-inbound", "Message " + key
                                        + " is one the business sent; only a customer's message can be marked read")
                                : ProblemException.notFound("No inbound message " + key)));
            });
        });
    }

    /**
     * Mark-on-arrival, inside the webhook's apply transaction: only the row changes, the dispatcher sends it.
     * The caller wakes the dispatcher after the commit.
     */
    public Uni<Boolean> requestOnArrival(SqlClient tx, UUID id, boolean typing, Instant now) {
        return tx.preparedQuery(REQUEST).execute(Tuple.tuple().addUUID(id).addString(null).addOffsetDateTime(utc(now))
                .addBoolean(typing)).map(rows -> rows.rowCount() > 0);
    }

    private static ReadReceiptView view(Row row) {
        OffsetDateTime readAt = row.getOffsetDateTime("read_at");
        Integer code = row.getInteger("read_error_code");
        String state = row.getString("read_state");
        ReadReceiptView.Error error = "failed".equals(state)
                ? new ReadReceiptView.Error(code, row.getString("read_error_title"))
                : null;
        return new ReadReceiptView(row.getUUID("id").toString(), row.getString("wamid"), state,
                readAt == null ? null : readAt.toInstant().toString(), Boolean.TRUE.equals(row.getBoolean("read_typing")),
                error);
    }

    private static ProblemException unprocessable(String slug, String detail) {
        return new ProblemException(Problem.of(slug, "Unprocessable Content", 422, detail));
    }

    private static UUID parseUuid(String key) {
        try {
            return UUID.fromString(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
