package wagateway.cloudapi.webhook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One {@code statuses[]} item of Meta's webhook: what happened to a message we sent.
 *
 * @param status Meta's value as sent ({@code sent}, {@code delivered}, {@code read}, {@code played},
 *        {@code failed}, or anything newer, which is kept and otherwise ignored)
 * @param timestamp Meta's time of the status, or null when absent/unreadable
 * @param raw the item exactly as received (kept for statuses of unknown messages)
 */
public record StatusUpdate(String wamid, String status, Instant timestamp, String recipientId, String recipientUserId,
        String bizOpaqueCallbackData, List<WebhookError> errors, JsonNode pricing, JsonNode conversation,
        ObjectNode raw) {

    public static StatusUpdate of(ObjectNode item) {
        List<WebhookError> errors = new ArrayList<>();
        item.path("errors").forEach(e -> {
            if (e.isObject()) {
                errors.add(WebhookError.of(e));
            }
        });
        return new StatusUpdate(MetaJson.text(item, "id"), MetaJson.text(item, "status"),
                MetaJson.epochSeconds(item, "timestamp"),
                MetaJson.text(item, "recipient_id"), MetaJson.text(item, "recipient_user_id"),
                MetaJson.text(item, "biz_opaque_callback_data"), List.copyOf(errors), MetaJson.object(item, "pricing"),
                MetaJson.object(item, "conversation"), item);
    }

    /** The first error, which carries the code we act on; null when there is none. */
    public WebhookError error() {
        return errors.isEmpty() ? null : errors.get(0);
    }
}
