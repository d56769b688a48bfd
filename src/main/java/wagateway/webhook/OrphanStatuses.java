package wagateway.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.webhook.api.StatusUpdate;

/**
 * Statuses whose wamid we do not know yet ({@code orphan_status}): Meta can report {@code sent} before the
 * dispatcher has recorded the wamid the send returned. They are kept, and applied as soon as the wamid is
 * recorded: by the dispatcher (in its transaction, {@link #applyOrphans}), by a status matched through
 * {@code biz_opaque_callback_data}, and by a periodic sweep that catches any race between the two.
 */
@ApplicationScoped
public class OrphanStatuses {

    private final MessageStatusRecorder recorder;
    private final WebhookMetrics metrics;
    private final ObjectMapper mapper;
    private final Pool pool;
    private final Clock clock;

    OrphanStatuses(MessageStatusRecorder recorder, WebhookMetrics metrics, ObjectMapper mapper, Pool pool,
            Clock clock) {
        this.recorder = recorder;
        this.metrics = metrics;
        this.mapper = mapper;
        this.pool = pool;
        this.clock = clock;
    }

    /** Keeps a status of an unknown wamid, once per (wamid, status). */
    Uni<Void> keep(SqlClient tx, StatusUpdate update) {
        if (update.wamid() == null) {
            Log.warnf("Status '%s' matches no message and has no wamid: dropped", update.status());
            return Uni.createFrom().voidItem();
        }
        metrics.status(update.status(), "orphaned");
        Instant now = clock.instant();
        Instant occurredAt = update.timestamp() != null ? update.timestamp() : now;
        return tx.preparedQuery("insert into orphan_status (wamid, status, occurred_at, payload, received_at) "
                + "values ($1, $2, $3, $4, $5) on conflict (wamid, status) do nothing")
                .execute(Tuple.tuple().addString(update.wamid()).addString(update.status())
                        .addOffsetDateTime(occurredAt.atOffset(ZoneOffset.UTC))
                        .addValue(new JsonObject(update.raw().toString()))
                        .addOffsetDateTime(now.atOffset(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    /**
     * Applies, in Meta's order, every kept status of {@code wamid} to the message that now carries it, inside
     * the caller's transaction (the dispatcher calls this right after recording a wamid). Idempotent.
     */
    public Uni<Void> applyOrphans(SqlClient tx, UUID messageId, String wamid) {
        if (wamid == null) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("delete from orphan_status where wamid = $1 returning id, occurred_at, payload")
                .execute(Tuple.of(wamid))
                .chain(rows -> {
                    List<Kept> kept = new ArrayList<>();
                    rows.forEach(row -> kept.add(new Kept(row.getLong("id"),
                            row.getOffsetDateTime("occurred_at").toInstant(), row.getJsonObject("payload"))));
                    if (kept.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    kept.sort(Comparator.comparing(Kept::occurredAt).thenComparing(Kept::id));
                    return recorder.lockById(tx, messageId).chain(message -> message == null
                            ? Uni.createFrom().voidItem()
                            : applyInOrder(tx, message, kept));
                });
    }

    private Uni<Void> applyInOrder(SqlClient tx, OutboundMessageRef message, List<Kept> kept) {
        Uni<OutboundMessageRef> chain = Uni.createFrom().item(message);
        for (Kept status : kept) {
            chain = chain.chain(current -> recorder.apply(tx, current, status.update(mapper)));
        }
        return chain.replaceWithVoid();
    }

    /** Applies kept statuses whose wamid has meanwhile been recorded, each message in its own transaction. */
    Uni<Void> sweep() {
        return pool.query("select distinct m.id, m.wamid from orphan_status o "
                + "join outbound_message m on m.wamid = o.wamid limit 100").execute()
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .onItem().transformToUniAndConcatenate(row -> pool.withTransaction(
                        tx -> applyOrphans(tx, row.getUUID("id"), row.getString("wamid"))))
                .collect().last().replaceWithVoid();
    }

    /** Statuses of messages that never show up (another system's, on the same number) are not kept forever. */
    Uni<Void> purge(Duration retention) {
        return pool.preparedQuery("delete from orphan_status where received_at < $1")
                .execute(Tuple.of(clock.instant().minus(retention).atOffset(ZoneOffset.UTC))).replaceWithVoid();
    }

    private record Kept(long id, Instant occurredAt, JsonObject payload) {
        StatusUpdate update(ObjectMapper mapper) {
            try {
                return StatusUpdate.of((ObjectNode) mapper.readTree(payload.encode()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Unreadable kept status " + id, e);
            }
        }
    }
}
