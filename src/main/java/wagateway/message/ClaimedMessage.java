package wagateway.message;

import java.time.Instant;
import java.util.UUID;

import io.vertx.core.json.JsonObject;

/** A queue row this replica holds a lease on, with what the rules and the Cloud API call need. */
public record ClaimedMessage(UUID id, String sender, String recipient, String type, String category, int priority,
        Instant dueAt, JsonObject content, String replyTo, JsonObject fallbackTemplate, String callbackUrl,
        JsonObject metadata, Instant expiresAt, int attempts, boolean sentTemplate, Instant createdAt) {

    public boolean template() {
        return "template".equals(type);
    }
}
