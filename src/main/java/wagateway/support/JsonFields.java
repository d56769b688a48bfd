package wagateway.support;

import io.vertx.core.json.JsonObject;

/** Event payloads leave absent facts out rather than writing {@code null}. */
public final class JsonFields {

    private JsonFields() {
    }

    public static void putIfPresent(JsonObject json, String key, Object value) {
        if (value != null) {
            json.put(key, value);
        }
    }
}
