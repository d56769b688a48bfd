package wagateway.event;

import java.time.Instant;

import io.vertx.core.json.JsonObject;

/**
 * The JSON body of an event as the business sees it, the same for a signed callback and for the live stream:
 * {@code id}, {@code type} and {@code createdAt} first (a payload field never overrides them), then the
 * event's own fields.
 */
final class EventBody {

    private EventBody() {
    }

    static JsonObject of(long id, String type, Instant createdAt, JsonObject payload) {
        JsonObject json = new JsonObject()
                .put("id", String.valueOf(id))
                .put("type", type)
                .put("createdAt", createdAt.toString());
        payload.forEach(field -> {
            if (!json.containsKey(field.getKey())) {
                json.put(field.getKey(), field.getValue());
            }
        });
        return json;
    }
}
