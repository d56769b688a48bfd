package wagateway.media;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Graph API answer below 500: a success or an error about this request (token, unknown id, bad file).
 * 5xx answers fail the call instead, so that only they count for the circuit breaker.
 */
record GraphReply(int status, JsonNode body) {

    boolean ok() {
        return status >= 200 && status < 300 && !body.has("error");
    }

    Integer errorCode() {
        JsonNode code = body.path("error").get("code");
        return code == null || !code.canConvertToInt() ? null : code.asInt();
    }

    String errorMessage() {
        JsonNode error = body.path("error");
        String details = error.path("error_data").path("details").asText("");
        return details.isEmpty() ? error.path("message").asText("") : details;
    }
}
