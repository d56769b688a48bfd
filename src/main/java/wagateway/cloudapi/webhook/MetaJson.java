package wagateway.cloudapi.webhook;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

import io.vertx.core.json.Json;

/** Lenient readers for Meta's JSON: a missing, null or empty field is {@code null}, never an exception. */
public final class MetaJson {

    private MetaJson() {
    }

    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull() || value.isContainerNode()) {
            return null;
        }
        String text = value.asText();
        return text.isBlank() ? null : text;
    }

    /** Meta sends unix seconds, as a string ({@code "1673020317"}) or a number. */
    public static Instant epochSeconds(JsonNode node, String field) {
        String text = text(node, field);
        if (text == null) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(text.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The same JSON as a Vert.x value ({@code JsonObject}, {@code JsonArray}, string, number...), null for null. */
    public static Object vertx(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null
                : Json.decodeValue(node.toString());
    }

    /** The object itself when it is one, else {@code null} (absent, null, or of another JSON type). */
    public static JsonNode object(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isObject() ? value : null;
    }
}
