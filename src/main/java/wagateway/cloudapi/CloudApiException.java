package wagateway.cloudapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An error answer of the Graph API: HTTP status plus Meta's {@code error.code}, title and
 * {@code error_data.details}. Build logic on the code, not on the HTTP status (Meta varies it).
 */
public class CloudApiException extends RuntimeException {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final int httpStatus;
    private final Integer code;
    private final String title;
    private final String details;

    public CloudApiException(int httpStatus, Integer code, String title, String details) {
        super("Cloud API " + httpStatus + (code == null ? "" : " code " + code) + (title == null ? "" : ": " + title),
                null, false, false);
        this.httpStatus = httpStatus;
        this.code = code;
        this.title = title;
        this.details = details;
    }

    static CloudApiException fromResponse(int status, String body) {
        if (body != null && !body.isBlank()) {
            try {
                JsonNode error = MAPPER.readTree(body).path("error");
                if (error.isObject()) {
                    Integer code = error.hasNonNull("code") ? error.get("code").asInt() : null;
                    String message = error.path("message").asText(null);
                    String details = error.path("error_data").path("details").asText(null);
                    return new CloudApiException(status, code, titleOf(message), details);
                }
            } catch (Exception e) {
                // not Meta's JSON (a proxy's HTML page, say): keep the status
            }
        }
        return new CloudApiException(status, null, "HTTP " + status, null);
    }

    /** {@code "(#130429) Rate limit hit"} → {@code "Rate limit hit"}. */
    static String titleOf(String message) {
        if (message == null) {
            return null;
        }
        return message.startsWith("(#") && message.indexOf(") ") > 0 ? message.substring(message.indexOf(") ") + 2) : message;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public Integer code() {
        return code;
    }

    public String title() {
        return title;
    }

    public String details() {
        return details;
    }
}
