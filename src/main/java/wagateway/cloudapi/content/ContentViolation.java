package wagateway.cloudapi.content;

/**
 * One broken Cloud API rule in a message body. {@code field} is the JSON path inside the message
 * ({@code interactive.action.buttons[3].reply.title}); {@code kind} lets the sandbox answer with
 * Meta's code (131008 missing, 131009 invalid).
 */
public record ContentViolation(String field, String message, Kind kind) {

    public enum Kind {
        /** A required field is absent (Meta 131008). */
        MISSING,
        /** A field is present but breaks a rule or limit (Meta 131009 / 100). */
        INVALID
    }

    public static ContentViolation missing(String field) {
        return new ContentViolation(field, "is required", Kind.MISSING);
    }

    public static ContentViolation invalid(String field, String message) {
        return new ContentViolation(field, message, Kind.INVALID);
    }
}
