package wagateway.message;

import java.time.Instant;
import java.util.UUID;

import io.vertx.core.json.JsonObject;

/**
 * A change of one message's status, whoever saw it first — the gateway (accepted by the Cloud API, failed,
 * rejected by a rule, expired, cancelled, a fallback queued) or Meta (a status webhook): what the business is
 * told in its {@code message.status} event ({@link StatusEvents}, the one shape of that event).
 *
 * @param reason the rule that decided (rejected / expired / queued after a deferral), or null
 * @param fallback what the business may do about a failure
 * @param fallbackFor the failed message this one stands in for (an asynchronous 131047's fallback template)
 * @param reported what Meta added to its status (recipient user id, pricing, conversation), or null
 */
public record StatusChange(UUID messageId, String recipient, String sender, MessageStatus status, String reason,
        Error error, String wamid, String callbackUrl, JsonObject metadata, Fallback fallback, UUID fallbackFor,
        Reported reported, Instant at) {

    /** Meta's error: its code, title and {@code error_data.details}. */
    public record Error(Integer code, String title, String detail) {
    }

    /** What the business may do about a failed message. */
    public enum Fallback {
        NONE,
        /** Another channel (SMS, email) could reach the customer. */
        SUGGESTED,
        /** Its fallback template is queued as a new message: WhatsApp still reaches the customer. */
        TEMPLATE_QUEUED
    }

    /** Facts Meta reports with a status, passed on as Meta gave them. */
    public record Reported(String recipientUserId, JsonObject pricing, JsonObject conversation) {
    }

    /** A change the gateway made, without Meta's extras. */
    public static StatusChange byGateway(UUID messageId, String recipient, String sender, MessageStatus status,
            String reason, Error error, String wamid, String callbackUrl, JsonObject metadata, Fallback fallback,
            Instant at) {
        return new StatusChange(messageId, recipient, sender, status, reason, error, wamid, callbackUrl, metadata,
                fallback, null, null, at);
    }
}
