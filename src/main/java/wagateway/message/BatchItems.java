package wagateway.message;

import java.io.IOException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * The items of a batch body ({@code {"messages": [ ... ]}}), found by streaming over the bytes and parsed one at
 * a time when asked for. The whole body is never a JSON tree: 8 MiB of {@code {},{},…} would be some 240 MB of
 * nodes. The walk stops at the first item past {@link MessageIntakeService#MAX_BATCH}, and an item larger than a
 * single message may be ({@code gateway.api.max-body-bytes}) is never parsed.
 */
final class BatchItems extends AbstractList<JsonNode> {

    /** An item larger than a single message may be; answered 413 for that item alone. */
    static final class TooLarge extends IllegalArgumentException {
        final long maxBytes;

        TooLarge(long maxBytes) {
            super("larger than " + maxBytes + " bytes");
            this.maxBytes = maxBytes;
        }
    }

    /**
     * The most JSON objects and arrays a batch may hold, all items together. Valid items are kept as trees until
     * they are stored, and a tree costs some 100 bytes a node: without this, 8 MiB of items padded with
     * {@code {},{},…} inside fields the validation does not look into would be some 240 MB of nodes. A real
     * message has a few dozen (an interactive list with ten sections of ten rows, some 130), so this leaves room
     * for 1,000 large ones and bounds the trees to about 10 MB.
     */
    static final int MAX_CONTAINERS = 100_000;

    private final ObjectMapper mapper;
    private final byte[] body;
    private final long maxItemBytes;
    /** Per item: its start and end in the body, or a scalar already read. */
    private final List<Object> items;

    private BatchItems(ObjectMapper mapper, byte[] body, long maxItemBytes, List<Object> items) {
        this.mapper = mapper;
        this.body = body;
        this.maxItemBytes = maxItemBytes;
        this.items = items;
    }

    /** @throws ProblemException 400 for a body that is not {@code {"messages": [...]}} with 1 to 1,000 items */
    static BatchItems of(ObjectMapper mapper, byte[] body, long maxItemBytes) {
        List<Object> items = new ArrayList<>();
        long containers = 0;
        boolean messages = false;
        if (body != null && body.length > 0) {
            try (JsonParser parser = mapper.getFactory().createParser(body)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw malformed();
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (!"messages".equals(field)) {
                        throw invalid(field, "unknown field");
                    }
                    if (value == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    if (value != JsonToken.START_ARRAY) {
                        throw invalid("messages", "must be an array");
                    }
                    messages = true;
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        if (items.size() == MessageIntakeService.MAX_BATCH) {
                            throw invalid("messages", "at most " + MessageIntakeService.MAX_BATCH + " messages per batch");
                        }
                        if (parser.currentToken().isStructStart()) {
                            long start = parser.currentTokenLocation().getByteOffset();
                            containers += skipCounting(parser);
                            if (containers > MAX_CONTAINERS) {
                                throw invalid("messages",
                                        "more than " + MAX_CONTAINERS + " JSON objects and arrays in one batch");
                            }
                            items.add(new long[] { start, parser.currentLocation().getByteOffset() });
                        } else {
                            items.add(parser.readValueAsTree());
                        }
                    }
                }
                if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                    throw malformed();
                }
            } catch (IOException e) {
                throw malformed();
            }
        }
        if (!messages || items.isEmpty()) {
            throw invalid("messages", "must hold 1 to " + MessageIntakeService.MAX_BATCH + " messages");
        }
        return new BatchItems(mapper, body, maxItemBytes, items);
    }

    /**
     * The item as a JSON tree, parsed now (and not kept).
     *
     * @throws TooLarge when the item is larger than a single message may be
     */
    @Override
    public JsonNode get(int index) {
        Object item = items.get(index);
        if (item instanceof JsonNode scalar) {
            return scalar;
        }
        long[] span = (long[]) item;
        int length = (int) (span[1] - span[0]);
        if (length > maxItemBytes) {
            throw new TooLarge(maxItemBytes);
        }
        try {
            return mapper.readTree(body, (int) span[0], length);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON", e); // the walk read it already: not expected
        }
    }

    @Override
    public int size() {
        return items.size();
    }

    /** Skips the object or array the parser is at, as {@code skipChildren} does; answers how many it held, itself included. */
    private static long skipCounting(JsonParser parser) throws IOException {
        long count = 1;
        int depth = 1;
        while (depth > 0) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new IOException("unexpected end of input");
            }
            if (token.isStructStart()) {
                count++;
                depth++;
            } else if (token.isStructEnd()) {
                depth--;
            }
        }
        return count;
    }

    private static ProblemException malformed() {
        return ProblemException.badRequest("malformed-json", "The request body is not {\"messages\": [...]}");
    }

    private static ProblemException invalid(String field, String message) {
        return new ProblemException(new Problem("validation", "Bad Request", 400, "The request has invalid fields",
                List.of(new Problem.FieldError(field, message))));
    }
}
