package wagateway.message;

import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.event.EventOutbox;

/**
 * Writes a gateway-made status change to the message timeline and the event outbox, inside the
 * caller's transaction (the row update itself is the caller's).
 */
@ApplicationScoped
public class StatusChangeRecorder {

    private final EventOutbox outbox;

    StatusChangeRecorder(EventOutbox outbox) {
        this.outbox = outbox;
    }

    /** Records many changes with two pipelined statements, whatever their number. */
    public Uni<Void> recordAll(SqlClient tx, java.util.List<StatusChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        java.util.List<Tuple> rows = new java.util.ArrayList<>(changes.size());
        java.util.List<EventOutbox.NewEvent> events = new java.util.ArrayList<>(changes.size());
        for (StatusChange change : changes) {
            rows.add(timelineRow(change));
            events.add(new EventOutbox.NewEvent(EventOutbox.MESSAGE_STATUS, change.messageId(), change.recipient(),
                    change.callbackUrl(), payload(change)));
        }
        return tx.preparedQuery(INSERT_EVENT).executeBatch(rows).chain(() -> outbox.appendAll(tx, events));
    }

    private static final String INSERT_EVENT = "insert into message_event (message_id, status, source, occurred_at, "
            + "error_code, error_title, error_detail, details) values ($1, $2, 'gateway', $3, $4, $5, $6, $7)";

    private static Tuple timelineRow(StatusChange change) {
        JsonObject details = change.reason() == null ? null : new JsonObject().put("reason", change.reason());
        return Tuple.tuple().addUUID(change.messageId()).addString(change.status().value())
                .addOffsetDateTime(change.at().atOffset(ZoneOffset.UTC)).addInteger(change.errorCode())
                .addString(change.errorTitle()).addString(change.errorDetail()).addValue(details);
    }

    public Uni<Void> record(SqlClient tx, StatusChange change) {
        return tx.preparedQuery(INSERT_EVENT).execute(timelineRow(change))
                .chain(() -> outbox.append(tx, EventOutbox.MESSAGE_STATUS, change.messageId(), change.recipient(),
                        change.callbackUrl(), payload(change)));
    }

    static JsonObject payload(StatusChange change) {
        JsonObject payload = new JsonObject()
                .put("messageId", change.messageId().toString())
                .put("status", change.status().value())
                .put("to", change.recipient())
                .put("from", change.sender())
                .put("timestamp", change.at().toString());
        if (change.wamid() != null) {
            payload.put("wamid", change.wamid());
        }
        if (change.reason() != null) {
            payload.put("reason", change.reason());
        }
        if (change.errorCode() != null || change.errorTitle() != null) {
            payload.put("error", new JsonObject().put("code", change.errorCode()).put("title", change.errorTitle())
                    .put("detail", change.errorDetail()));
        }
        if (change.fallbackSuggested()) {
            payload.put("fallbackSuggested", true);
        }
        payload.put("metadata", change.metadata() == null ? new JsonObject() : change.metadata());
        return payload;
    }
}
