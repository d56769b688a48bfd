package wagateway.event;

import java.time.Instant;

import io.vertx.mutiny.sqlclient.Row;

/**
 * One event as the live stream carries it.
 *
 * @param position the stream position (SSE {@code id}, what {@code Last-Event-ID} resumes from)
 * @param contactId the contact the event is about (V15), null for rows of the previous release or of no contact
 * @param id the event id ({@code event_outbox.id}, the body's {@code id} and the callbacks'
 *        {@code X-Wagateway-Event-Id}), for deduplication across both channels
 */
record StreamedEvent(long position, long id, String type, String contactPhone, String contactId, Instant createdAt,
        String body) {

    static final String COLUMNS = "position, id, type, contact_phone, contact_id, created_at, payload";

    /** Encoded once, as a callback carries it: the tail shares one copy among its subscribers. */
    static StreamedEvent of(Row row) {
        long id = row.getLong("id");
        String type = row.getString("type");
        Instant createdAt = row.getOffsetDateTime("created_at").toInstant();
        return new StreamedEvent(row.getLong("position"), id, type, row.getString("contact_phone"),
                row.getString("contact_id"), createdAt,
                EventBody.of(id, type, createdAt, row.getJsonObject("payload")).encode());
    }

    /** What holding it costs, roughly: its body (one byte a character, mostly ASCII) and the objects around it. */
    long bytes() {
        return body.length() + 128L;
    }
}
