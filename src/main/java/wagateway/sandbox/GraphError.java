package wagateway.sandbox;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Cloud API error as the sandbox reports it: synchronously in Meta's envelope
 * ({@code {error:{message, type, code, error_data, fbtrace_id}}}, see fixtures/error-130429.json) or
 * asynchronously inside a {@code failed} status webhook ({@code {code, title, message, error_data, href}}).
 *
 * @param httpStatus the HTTP status of a synchronous answer
 * @param code Meta's error code, the only thing clients should branch on
 * @param title Meta's short title
 * @param message the envelope's {@code message}; usually {@code (#code) title}
 * @param type the envelope's {@code type} ({@code OAuthException} for nearly everything)
 * @param subcode {@code error_subcode}, or null when Meta sends none
 * @param details {@code error_data.details}: what exactly was wrong
 * @param async whether Meta reports this code through a {@code failed} status after a 200
 */
public record GraphError(int httpStatus, int code, String title, String message, String type, Integer subcode,
        String details, boolean async) {

    static final String HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/";

    static GraphError of(int httpStatus, int code, String title, String details) {
        return new GraphError(httpStatus, code, title, "(#" + code + ") " + title, "OAuthException", null, details, false);
    }

    static GraphError asyncOf(int code, String title, String details) {
        return new GraphError(400, code, title, "(#" + code + ") " + title, "OAuthException", null, details, true);
    }

    /** The same error answered synchronously (a sync-mode 131047, an injected 131026). */
    GraphError synchronous() {
        return new GraphError(httpStatus, code, title, message, type, subcode, details, false);
    }

    /** The synchronous answer body. */
    ObjectNode envelope(String fbtraceId) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("code", code);
        ObjectNode data = error.putObject("error_data");
        data.put("messaging_product", "whatsapp");
        data.put("details", details);
        if (subcode != null) {
            error.put("error_subcode", subcode);
        }
        error.put("fbtrace_id", fbtraceId);
        return root;
    }

    /** The element of {@code statuses[].errors[]} in a {@code failed} status webhook. */
    ObjectNode webhookError() {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("code", code);
        error.put("title", title);
        error.put("message", title);
        error.putObject("error_data").put("details", details);
        error.put("href", HREF);
        return error;
    }
}
