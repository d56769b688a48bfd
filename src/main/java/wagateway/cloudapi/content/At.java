package wagateway.cloudapi.content;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * A node of the message together with its JSON path ({@code interactive.action.buttons[3].reply}), so
 * every violation names the exact field. Walking into an absent node yields a missing node with the
 * right path, which lets required children of an absent object report MISSING at their full path.
 */
record At(JsonNode node, String path) {

    static At root(JsonNode message) {
        return new At(message == null ? MissingNode.getInstance() : message, "");
    }

    At field(String name) {
        return new At(node.path(name), path.isEmpty() ? name : path + "." + name);
    }

    At item(int index) {
        return new At(node.path(index), path + "[" + index + "]");
    }

    /** JSON {@code null} counts as absent: senders serialise unset optionals either way. */
    boolean absent() {
        return node.isMissingNode() || node.isNull();
    }

    boolean present() {
        return !absent();
    }

    int size() {
        return node.size();
    }
}
