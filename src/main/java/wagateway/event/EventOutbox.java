package wagateway.event;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.config.GatewayConfig;
import wagateway.support.ContactAssignment;

/**
 * Appends business events ({@code message.status}, {@code message.received}, ...) to the persistent
 * outbox, inside the caller's transaction, so an event exists exactly when the change it reports was
 * committed. Delivery (signed callbacks, retries) and the live stream read from the same table.
 */
@ApplicationScoped
public class EventOutbox {

    public static final String MESSAGE_STATUS = "message.status";
    public static final String MESSAGE_RECEIVED = "message.received";

    /**
     * The event's contact (V15): the one the producer names (inbound), else the one its message was tied to (a
     * primary-key probe of a row the same transaction just changed), else the one holding the identifier it is
     * keyed by (index probes; a status event of a message the accept path left without contact); null for nobody
     * known, and readers find it by {@code contact_phone}. Each term is evaluated only when the ones before are null.
     */
    private static final String INSERT = "insert into event_outbox (type, message_id, contact_phone, url, payload, "
            + "state, next_attempt_at, created_at, contact_id) values ($1, $2, $3, $4, $5, $6, $7, $7, "
            + "coalesce($8, (select o.contact_id from outbound_message o where o.id = $2), "
            + "(select k.id from contact k where k.phone = $3), "
            + "(select k.id from contact k where k.user_id = $3 order by k.phone is null desc, k.updated_at desc limit 1)))";

    /** Events without contact keyed by an identifier a contact now holds or wrote with become that contact's. */
    private static final String ASSIGN = """
            update event_outbox e set contact_id = u.contact_id from unnest($1::text[], $2::text[]) as u(key, contact_id)
            where e.contact_id is null and e.contact_phone = u.key""";
    /** The events of contacts merged into another (the same person) follow it. */
    private static final String MOVE = """
            update event_outbox e set contact_id = m.into_id from unnest($1::text[], $2::text[]) as m(from_id, into_id)
            where e.contact_id = m.from_id""";

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

    /**
     * One event to append; see {@link #append}.
     *
     * @param contactPhone what callbacks of one customer are ordered by: the phone, else the user id
     * @param contactId the contact, when the producer knows it (null: the message's, if any)
     */
    public record NewEvent(String type, UUID messageId, String contactPhone, String contactId, String callbackUrl,
            JsonObject payload) {

        public NewEvent(String type, UUID messageId, String contactPhone, String callbackUrl, JsonObject payload) {
            this(type, messageId, contactPhone, null, callbackUrl, payload);
        }
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
                    .addValue(e.payload()).addString(url == null ? "none" : "pending").addOffsetDateTime(now)
                    .addString(e.contactId()));
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
                        .addValue(payload).addString(url == null ? "none" : "pending").addOffsetDateTime(now)
                        .addString(null))
                .invoke(() -> appended(url != null))
                .replaceWithVoid();
    }

    /**
     * Ties events to their contact inside the caller's transaction, as a webhook resolves who its customer is:
     * those without contact keyed by an identifier the contact holds or wrote with, and those of contacts merged
     * into another. Only rows without contact are looked at (a partial index), so a webhook of a known customer
     * costs one index probe per identifier.
     *
     * @param contactByIdentifier a phone or user id, and the contact that holds it
     * @param merged each merged contact's id, and the id of the contact it became part of
     */
    public Uni<Void> assignContacts(SqlClient tx, Map<String, String> contactByIdentifier, Map<String, String> merged) {
        return ContactAssignment.apply(tx, MOVE, ASSIGN, contactByIdentifier, merged);
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
