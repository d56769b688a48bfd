package wagateway.message;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated message ready for the queue: exactly what one {@code outbound_message} row holds at
 * acceptance. {@code content} is the Cloud API body ({@code type} + the object named by it).
 */
public record NewMessage(UUID id, String apiKeyId, String idempotencyKey, String requestHash, String sender,
        String recipient, String type, String category, Priority priority, ObjectNode content, String replyTo,
        ObjectNode fallbackTemplate, String callbackUrl, Map<String, String> metadata, Instant sendAt,
        Instant expiresAt, Instant createdAt) {

    /** Scheduled until {@code sendAt}; queued otherwise. */
    public MessageStatus initialStatus() {
        return sendAt != null && sendAt.isAfter(createdAt) ? MessageStatus.SCHEDULED : MessageStatus.QUEUED;
    }

    public Instant dueAt() {
        return initialStatus() == MessageStatus.SCHEDULED ? sendAt : createdAt;
    }

    public boolean template() {
        return "template".equals(type);
    }
}
