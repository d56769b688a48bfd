package wagateway.cloudapi.content;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Collects violations while the rule classes walk a message. Each check reports at most one violation
 * for its field and tells the caller whether it is worth looking further (a string that is not a
 * string has no length to check).
 */
final class Checks {

    private final List<ContentViolation> found = new ArrayList<>();

    List<ContentViolation> violations() {
        return found;
    }

    void missing(At at) {
        found.add(ContentViolation.missing(at.path()));
    }

    void invalid(At at, String message) {
        found.add(ContentViolation.invalid(at.path(), message));
    }

    // ---- objects and arrays ------------------------------------------------------------------------

    /** A required object: absent → MISSING at its own path. */
    boolean requiredObject(At at) {
        if (at.absent()) {
            missing(at);
            return false;
        }
        return object(at);
    }

    /** An optional object: absent is fine and there is nothing to check inside. */
    boolean optionalObject(At at) {
        return at.present() && object(at);
    }

    /**
     * An object required only for the sake of its required children ({@code body} of {@code body.text}):
     * when absent, the caller still walks into it so the missing leaf is reported at its full path
     * ({@code interactive.body.text}), which names what the sender has to add.
     */
    boolean container(At at) {
        return at.absent() || object(at);
    }

    /** An array element that has to be an object. */
    boolean element(At at) {
        return object(at);
    }

    private boolean object(At at) {
        if (!at.node().isObject()) {
            invalid(at, "must be an object");
            return false;
        }
        return true;
    }

    /**
     * A required array of {@code min..max} items. Too many items is reported once, at the first item
     * over the limit ({@code buttons[3]}), so the sender sees where to cut. Returns whether the items
     * are worth checking (they are, even when there are too many).
     */
    boolean requiredArray(At at, int min, int max) {
        if (at.absent()) {
            missing(at);
            return false;
        }
        return array(at, min, max);
    }

    boolean optionalArray(At at, int min, int max) {
        return at.present() && array(at, min, max);
    }

    private boolean array(At at, int min, int max) {
        if (!at.node().isArray()) {
            invalid(at, "must be an array");
            return false;
        }
        if (at.size() < min) {
            invalid(at, "must contain at least " + min + " item" + (min == 1 ? "" : "s"));
            return false;
        }
        if (at.size() > max) {
            invalid(at.item(max), "at most " + max + " items are allowed");
        }
        return true;
    }

    // ---- strings -----------------------------------------------------------------------------------

    /**
     * A required, non-blank string of at most {@code max} characters.
     *
     * @return the value when it passed every check, else {@code null}
     */
    String requiredText(At at, int max) {
        if (at.absent()) {
            missing(at);
            return null;
        }
        return text(at, max, false);
    }

    /** An optional string of at most {@code max} characters; an empty string is allowed. */
    String optionalText(At at, int max) {
        return at.absent() ? null : text(at, max, true);
    }

    private String text(At at, int max, boolean mayBeBlank) {
        if (!at.node().isTextual()) {
            invalid(at, "must be a string");
            return null;
        }
        String value = at.node().textValue();
        if (!mayBeBlank && value.isBlank()) {
            invalid(at, "must not be blank");
            return null;
        }
        int length = length(value);
        if (length > max) {
            invalid(at, "must be at most " + max + " characters (is " + length + ")");
            return null;
        }
        return value;
    }

    /**
     * A required string from a fixed set.
     *
     * @param ignoreCase also accept upper/mixed case (where real senders are known to send it)
     * @return the value in lower case when allowed, else {@code null}
     */
    String requiredEnum(At at, Set<String> allowed, boolean ignoreCase) {
        String value = requiredText(at, CloudApiLimits.UNLIMITED);
        if (value == null) {
            return null;
        }
        String key = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
        if (!allowed.contains(key)) {
            String expected = allowed.size() == 1 ? "\"" + allowed.iterator().next() + "\""
                    : "one of " + String.join(", ", new TreeSet<>(allowed));
            invalid(at, "must be " + expected + " (is \"" + value + "\")");
            return null;
        }
        return key;
    }

    /** A required string with exactly one allowed value ({@code "reply"}, {@code "cta_url"}). */
    void requiredConstant(At at, String expected) {
        requiredEnum(at, Set.of(expected), false);
    }

    /**
     * A required absolute URL with a host. {@code https} always; {@code http} only when
     * {@code allowHttp} (Meta fetches media only over HTTPS, but a CTA button may open any web page).
     */
    void requiredUrl(At at, boolean allowHttp) {
        String value = requiredText(at, CloudApiLimits.UNLIMITED);
        if (value == null) {
            return;
        }
        String expected = allowHttp ? "an absolute http(s) URL" : "an absolute https URL";
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean schemeOk = scheme.equals("https") || (allowHttp && scheme.equals("http"));
            if (!schemeOk || uri.getHost() == null || uri.getHost().isEmpty()) {
                invalid(at, "must be " + expected);
            }
        } catch (URISyntaxException e) {
            invalid(at, "must be " + expected + " (" + e.getReason() + ")");
        }
    }

    // ---- other scalars -----------------------------------------------------------------------------

    void optionalBoolean(At at) {
        if (at.present() && !at.node().isBoolean()) {
            invalid(at, "must be true or false");
        }
    }

    /** A required JSON number in {@code [-limit, limit]}. */
    void requiredNumberWithin(At at, double limit) {
        if (at.absent()) {
            missing(at);
        } else if (!at.node().isNumber()) {
            invalid(at, "must be a number");
        } else if (Math.abs(at.node().doubleValue()) > limit) {
            invalid(at, "must be between " + (long) -limit + " and " + (long) limit);
        }
    }

    /** Length as a person counts it: code points, so an emoji outside the BMP is one character. */
    static int length(String value) {
        return value.codePointCount(0, value.length());
    }
}
