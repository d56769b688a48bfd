package wagateway.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Compares two JSON documents by shape: the same field names and the same JSON node types (string,
 * number, boolean, object, array), recursively; array elements are compared with the sample's first one.
 * Values are not compared. {@code ignored} lists paths ({@code entry[].changes[].value.contacts[].user_id})
 * that one side may have and the other not, each for a stated reason at the call site.
 */
final class JsonShape {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonShape() {
    }

    /** A Cloud API sample from src/test/resources/fixtures (copied from ../shared/reference/fixtures). */
    static JsonNode fixture(String name) {
        try (InputStream in = JsonShape.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No fixture " + name);
            }
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertSameShape(JsonNode sample, JsonNode actual, String... ignored) {
        List<String> differences = new ArrayList<>();
        compare(sample, actual, "", Set.of(ignored), differences);
        assertEquals(List.of(), differences, "shape differs from the sample");
    }

    private static void compare(JsonNode sample, JsonNode actual, String path, Set<String> ignored, List<String> out) {
        if (!kind(sample).equals(kind(actual))) {
            out.add(path + ": sample has " + kind(sample) + ", actual " + kind(actual));
            return;
        }
        if (sample.isObject()) {
            Set<String> names = new TreeSet<>();
            sample.fieldNames().forEachRemaining(names::add);
            actual.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String child = path.isEmpty() ? name : path + "." + name;
                if (ignored.contains(child)) {
                    continue;
                }
                if (!sample.has(name)) {
                    out.add(child + ": not in the sample");
                } else if (!actual.has(name)) {
                    out.add(child + ": missing");
                } else {
                    compare(sample.get(name), actual.get(name), child, ignored, out);
                }
            }
        } else if (sample.isArray()) {
            Iterator<JsonNode> elements = actual.elements();
            if (sample.size() > 0 && !elements.hasNext()) {
                out.add(path + "[]: empty");
            }
            while (sample.size() > 0 && elements.hasNext()) {
                compare(sample.get(0), elements.next(), path + "[]", ignored, out);
            }
        }
    }

    private static String kind(JsonNode node) {
        if (node.isNumber()) {
            return "number";
        }
        return node.getNodeType().name().toLowerCase();
    }
}
