package wagateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

/** What the simulated Graph API answers: an HTTP status and a JSON body. */
public record GraphAnswer(int status, JsonNode body) {

    static GraphAnswer error(GraphError error) {
        return new GraphAnswer(error.httpStatus(), error.envelope(SandboxIds.fbtraceId()));
    }
}
