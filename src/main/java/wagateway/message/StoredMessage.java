package wagateway.message;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An {@code outbound_message} row as the API reads it. {@code timeline} is null when not loaded. */
public record StoredMessage(UUID id, String sender, String recipient, String type, String category,
        Priority priority, Map<String, Object> content, String replyTo, boolean hasFallback, String callbackUrl,
        Map<String, String> metadata, MessageStatus status, String reason, Instant sendAt, Instant expiresAt,
        int attempts, String wamid, Integer errorCode, String errorTitle, String errorDetail, boolean sentTemplate,
        Instant createdAt, Instant updatedAt, Instant sentAt, String requestHash, List<TimelineEntry> timeline) {

    /** One step of the status timeline, with Meta's timestamp for webhook statuses. */
    public record TimelineEntry(String status, String source, Instant at, Integer errorCode, String errorTitle,
            String errorDetail, Map<String, Object> details) {
    }
}
