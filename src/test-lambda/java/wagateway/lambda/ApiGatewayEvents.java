package wagateway.lambda;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.amazon.lambda.runtime.AmazonLambdaApi;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;

import static io.restassured.RestAssured.given;

/**
 * API Gateway HTTP API events (payload format 2.0) as API Gateway hands them to a function, posted to Quarkus's
 * mock Lambda event server, which invokes the function with them and answers the function's response event.
 */
final class ApiGatewayEvents {

    static final ObjectMapper JSON = new ObjectMapper();

    private ApiGatewayEvents() {
    }

    /** A request event: header names in lower case, as API Gateway delivers them. */
    static ObjectNode request(String method, String path, String query, Map<String, String> headers, String body) {
        ObjectNode event = JSON.createObjectNode()
                .put("version", "2.0")
                .put("routeKey", "$default")
                .put("rawPath", path)
                .put("rawQueryString", query);
        ObjectNode h = event.putObject("headers");
        h.put("host", "abc123.execute-api.eu-west-1.amazonaws.com");
        h.put("user-agent", "wagateway-lambda-test");
        h.put("x-forwarded-proto", "https");
        headers.forEach((name, value) -> h.put(name.toLowerCase(Locale.ROOT), value));
        ObjectNode context = event.putObject("requestContext")
                .put("accountId", "123456789012")
                .put("apiId", "abc123")
                .put("domainName", "abc123.execute-api.eu-west-1.amazonaws.com")
                .put("requestId", UUID.randomUUID().toString())
                .put("stage", "$default")
                .put("routeKey", "$default")
                .put("time", Instant.now().toString())
                .put("timeEpoch", Instant.now().toEpochMilli());
        context.putObject("http")
                .put("method", method)
                .put("path", path)
                .put("protocol", "HTTP/1.1")
                .put("sourceIp", "203.0.113.7")
                .put("userAgent", "wagateway-lambda-test");
        if (body != null) {
            event.put("body", body).put("isBase64Encoded", false);
        } else {
            event.put("isBase64Encoded", false);
        }
        return event;
    }

    /** Invokes the function with the event; returns its response event (statusCode, headers, body). */
    static JsonNode invoke(ObjectNode event) {
        // an invocation that never completes (a response that never ends) fails here instead of hanging the build
        String answer = given().config(RestAssuredConfig.config().httpClient(
                HttpClientConfig.httpClientConfig().setParam("http.socket.timeout", 60_000)))
                .contentType("application/json").body(event.toString())
                .when().post(AmazonLambdaApi.API_BASE_PATH_TEST)
                .then().statusCode(200)
                .extract().asString();
        try {
            return JSON.readTree(answer);
        } catch (Exception e) {
            throw new AssertionError("not a response event: " + answer, e);
        }
    }

    /** The response event's body as text, decoded when the function sent it base64-encoded. */
    static String body(JsonNode response) {
        String body = response.path("body").asText("");
        return response.path("isBase64Encoded").asBoolean()
                ? new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8)
                : body;
    }

    static JsonNode jsonBody(JsonNode response) {
        try {
            return JSON.readTree(body(response));
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body(response), e);
        }
    }
}
