package wagateway.event;

import java.time.Instant;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/**
 * One event as the live stream carries it.
 *
 * @param position the stream position (SSE {@code id}, what {@code Last-Event-ID} resumes from)
 * @param id the event id ({@code event_outbox.id}, the body's {@code id} and the callbacks'
 *        {@code X-Wagateway-Event-Id}), for deduplication across both channels
 */
record StreamedEvent(long position, long id, String type, String contactPhone, Instant createdAt, JsonObject payload) {

    static final String COLUMNS = "position, id, type, contact_phone, created_at, payload";

    static StreamedEvent of(Row row) {
        return new StreamedEvent(row.getLong("position"), row.getLong("id"), row.getString("type"),
                row.getString("contact_phone"), row.getOffsetDateTime("created_at").toInstant(),
                row.getJsonObject("payload"));
    }

    /** The same body a callback carries. */
    String body() {
        return EventBody.of(id, type, createdAt, payload).encode();
    }
}
