package wagateway.message;

import io.vertx.core.json.JsonObject;

import static wagateway.support.JsonFields.putIfPresent;

/**
 * The one builder of the {@code message.status} event body (docs/webhooks.md "message.status"): whoever made
 * the change, the business gets the same fields — {@code messageId}, {@code status}, {@code to}, {@code from},
 * {@code timestamp} and {@code metadata} always; {@code wamid}, {@code reason}, {@code error},
 * {@code fallbackSuggested} / {@code fallbackTemplateQueued}, {@code fallbackFor}, {@code recipientUserId},
 * {@code pricing} and {@code conversation} when there is something to say.
 */
public final class StatusEvents {

    private StatusEvents() {
    }

    public static JsonObject payload(StatusChange change) {
        JsonObject payload = new JsonObject()
                .put("messageId", change.messageId().toString())
                .put("status", change.status().value())
                .put("to", change.recipient())
                .put("from", change.sender())
                .put("timestamp", change.at().toString());
        putIfPresent(payload, "wamid", change.wamid());
        putIfPresent(payload, "reason", change.reason());
        StatusChange.Error error = change.error();
        if (error != null && (error.code() != null || error.title() != null)) {
            payload.put("error", new JsonObject().put("code", error.code()).put("title", error.title())
                    .put("detail", error.detail()));
        }
        if (change.fallback() == StatusChange.Fallback.SUGGESTED) {
            payload.put("fallbackSuggested", true);
        } else if (change.fallback() == StatusChange.Fallback.TEMPLATE_QUEUED) {
            payload.put("fallbackTemplateQueued", true);
        }
        if (change.fallbackFor() != null) {
            payload.put("fallbackFor", change.fallbackFor().toString());
        }
        StatusChange.Reported reported = change.reported();
        if (reported != null) {
            putIfPresent(payload, "recipientUserId", reported.recipientUserId());
            // the recipient's business-scoped user id under the name message.received uses for the customer's
            putIfPresent(payload, "userId", reported.recipientUserId());
            putIfPresent(payload, "pricing", reported.pricing());
            putIfPresent(payload, "conversation", reported.conversation());
        }
        payload.put("metadata", change.metadata() == null ? new JsonObject() : change.metadata());
        return payload;
    }
}
