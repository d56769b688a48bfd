package wagateway.message;

import java.time.Instant;
import java.util.UUID;

import io.vertx.core.json.JsonObject;

/**
 * A status change the gateway itself made (accepted by the Cloud API, failed, rejected by a policy,
 * expired, cancelled): what the timeline records and what the business is told.
 */
public record StatusChange(UUID messageId, String recipient, String sender, MessageStatus status, String reason,
        Integer errorCode, String errorTitle, String errorDetail, String wamid, String callbackUrl,
        JsonObject metadata, boolean fallbackSuggested, Instant at) {
}
