package wagateway.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * PostgreSQL's {@code jsonb} (and {@code text}) refuse the NUL character ({@code \u0000}), which JSON allows in
 * strings: one NUL in a customer's message made the whole stored webhook fail to apply, every other message in
 * it included. Before a webhook is applied, each NUL in its strings and keys becomes U+FFFD, the Unicode
 * replacement character — what a reader shows for a character that cannot be kept.
 */
final class NulCharacters {

    static final char NUL = '\u0000';
    static final String REPLACEMENT = "\uFFFD";

    private NulCharacters() {
    }

    /** Replaces every NUL in {@code node}'s strings and keys, in place. */
    static void replaceIn(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            object.fields().forEachRemaining(fields::add);
            boolean renamed = fields.stream().anyMatch(f -> f.getKey().indexOf(NUL) >= 0);
            if (renamed) {
                object.removeAll();
            }
            for (Map.Entry<String, JsonNode> field : fields) {
                JsonNode value = cleaned(field.getValue());
                object.set(renamed ? clean(field.getKey()) : field.getKey(), value);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, cleaned(array.get(i)));
            }
        }
    }

    private static JsonNode cleaned(JsonNode value) {
        if (value.isTextual() && value.textValue().indexOf(NUL) >= 0) {
            return TextNode.valueOf(clean(value.textValue()));
        }
        replaceIn(value);
        return value;
    }

    private static String clean(String text) {
        return text.replace(String.valueOf(NUL), REPLACEMENT);
    }
}
