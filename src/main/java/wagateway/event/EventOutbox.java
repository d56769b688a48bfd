package wagateway.event;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.config.GatewayConfig;

/**
 * Appends business events ({@code message.status}, {@code message.received}, ...) to the persistent
 * outbox, inside the caller's transaction, so an event exists exactly when the change it reports was
 * committed. Delivery (signed callbacks, retries) and the live stream read from the same table.
 */
@ApplicationScoped
public class EventOutbox {

    public static final String MESSAGE_STATUS = "message.status";
    public static final String MESSAGE_RECEIVED = "message.received";

    private static final String INSERT = "insert into event_outbox (type, message_id, contact_phone, url, payload, "
            + "state, next_attempt_at, created_at) values ($1, $2, $3, $4, $5, $6, $7, $7)";

    private final GatewayConfig config;
    private final Clock clock;
    private final EventStream stream;
    private final CallbackDispatcher callbacks;

    EventOutbox(GatewayConfig config, Clock clock, EventStream stream, CallbackDispatcher callbacks) {
        this.config = config;
        this.clock = clock;
        this.stream = stream;
        this.callbacks = callbacks;
    }

    /** One event to append; see {@link #append}. */
    public record NewEvent(String type, UUID messageId, String contactPhone, String callbackUrl, JsonObject payload) {
    }

    /** Appends many events in one pipelined round trip, inside the caller's transaction. */
    public Uni<Void> appendAll(SqlClient tx, List<NewEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        List<Tuple> rows = new ArrayList<>(events.size());
        boolean callback = false;
        for (NewEvent e : events) {
            String url = e.callbackUrl() != null ? e.callbackUrl() : config.callbacks().url().orElse(null);
            callback |= url != null;
            rows.add(Tuple.tuple().addString(e.type()).addUUID(e.messageId()).addString(e.contactPhone()).addString(url)
                    .addValue(e.payload()).addString(url == null ? "none" : "pending").addOffsetDateTime(now));
        }
        boolean nudge = callback;
        return tx.preparedQuery(INSERT).executeBatch(rows).invoke(() -> appended(nudge)).replaceWithVoid();
    }

    /**
     * @param tx the caller's transaction (connection)
     * @param callbackUrl the message's own callback URL, or null for the global one
     * @param payload the event body without {@code id}/{@code type}/{@code createdAt}, which are added on delivery
     */
    public Uni<Void> append(SqlClient tx, String type, UUID messageId, String contactPhone, String callbackUrl,
            JsonObject payload) {
        String url = callbackUrl != null ? callbackUrl : config.callbacks().url().orElse(null);
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        return tx.preparedQuery(INSERT)
                .execute(Tuple.tuple().addString(type).addUUID(messageId).addString(contactPhone).addString(url)
                        .addValue(payload).addString(url == null ? "none" : "pending").addOffsetDateTime(now))
                .invoke(() -> appended(url != null))
                .replaceWithVoid();
    }

    /**
     * Wakes the live stream's tail and, for events with a callback URL, the callback claim; both read after the
     * caller's commit, or at their next poll.
     */
    private void appended(boolean callback) {
        stream.appended();
        if (callback) {
            callbacks.appended();
        }
    }
}
