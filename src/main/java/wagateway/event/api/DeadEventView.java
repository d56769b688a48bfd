package wagateway.event.api;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A dead event, as {@code GET /v1/events/dead} lists it.
 *
 * @param lastAttemptAt when delivery was given up
 * @param payload the event's fields as they would have been POSTed (without id/type/createdAt)
 */
@RegisterForReflection
public record DeadEventView(String id, String type, UUID messageId, String url, int attempts, String lastError,
        Instant createdAt, Instant lastAttemptAt, Map<String, Object> payload) {
}
