package wagateway.lambda;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import wagateway.testsupport.TestDb;
import wagateway.webhook.MetaWebhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static wagateway.lambda.ApiGatewayEvents.invoke;
import static wagateway.lambda.ApiGatewayEvents.jsonBody;
import static wagateway.lambda.ApiGatewayEvents.request;

/**
 * The function package (./mvnw verify -Plambda): API Gateway HTTP API events through Quarkus's mock Lambda event
 * server into the same resources, filters and database as the server, with the function's settings.
 */
@QuarkusTest
@TestProfile(FunctionProfile.class)
class FunctionPackageTest {

    private static final Map<String, String> API_KEY = Map.of("Authorization", "Bearer test-key", "Content-Type",
            "application/json");

    @Test
    void aSignedWebhookIsStoredThenAReplyIsAcceptedStoredAndReadBack() {
        // the customer writes first (Meta's webhook, signed over its exact bytes): their window opens
        String waId = MetaWebhooks.freshWaId();
        String webhook = MetaWebhooks.text(waId, "Hi, where is my order?").toString();
        long before = MetaWebhooks.lastInboxId();
        JsonNode stored = invoke(request("POST", "/webhooks/whatsapp", "",
                Map.of("Content-Type", "application/json", "X-Hub-Signature-256", MetaWebhooks.sign(webhook)), webhook));
        assertThat(stored.path("statusCode").asInt()).as(stored.toString()).isEqualTo(200);
        assertThat(TestDb.count("select count(*) from webhook_inbox where id > ? and body = ?", before, webhook))
                .isEqualTo(1);
        // the function applies what it stored at once when it can; on AWS, an instance frozen right after its answer
        // leaves that to the dispatcher's drain (docs/serverless.md)
        await().atMost(Duration.ofSeconds(15)).until(() -> TestDb.count(
                "select count(*) from contact where phone = ? and window_open_until is not null", "+" + waId) == 1);

        // the business answers: 202, and the message is in PostgreSQL before the answer
        String send = "{\"to\":\"+" + waId + "\",\"type\":\"text\",\"text\":{\"body\":\"It ships today!\"}}";
        JsonNode accepted = invoke(request("POST", "/v1/messages", "", API_KEY, send));
        assertThat(accepted.path("statusCode").asInt()).as(accepted.toString()).isEqualTo(202);
        String id = jsonBody(accepted).path("id").asText();
        var row = TestDb.query("select recipient, type, status, content->'text'->>'body' as body from outbound_message"
                + " where id = ?", UUID.fromString(id));
        assertThat(row).hasSize(1);
        assertThat(row.get(0)).containsEntry("recipient", "+" + waId).containsEntry("type", "text")
                .containsEntry("status", "queued").containsEntry("body", "It ships today!");

        // the read API answers through the function too
        JsonNode read = invoke(request("GET", "/v1/messages/" + id, "", API_KEY, null));
        assertThat(read.path("statusCode").asInt()).as(read.toString()).isEqualTo(200);
        assertThat(jsonBody(read).path("id").asText()).isEqualTo(id);
        assertThat(jsonBody(read).path("status").asText()).isEqualTo("queued");
    }

    @Test
    void metasHandshakeAndABase64EncodedWebhookGoThroughTheFunction() {
        JsonNode handshake = invoke(request("GET", "/webhooks/whatsapp",
                "hub.mode=subscribe&hub.verify_token=test-verify-token&hub.challenge=1158201444", Map.of(), null));
        assertThat(handshake.path("statusCode").asInt()).as(handshake.toString()).isEqualTo(200);
        assertThat(ApiGatewayEvents.body(handshake)).isEqualTo("1158201444");

        // API Gateway may hand a body over base64-encoded: the signature is still checked over the bytes Meta sent
        String webhook = MetaWebhooks.text(MetaWebhooks.freshWaId(), "Olá, ainda têm o tamanho 42?").toString();
        long before = MetaWebhooks.lastInboxId();
        var event = request("POST", "/webhooks/whatsapp", "",
                Map.of("Content-Type", "application/json", "X-Hub-Signature-256", MetaWebhooks.sign(webhook)), null);
        event.put("body", Base64.getEncoder().encodeToString(webhook.getBytes(StandardCharsets.UTF_8)))
                .put("isBase64Encoded", true);
        JsonNode stored = invoke(event);
        assertThat(stored.path("statusCode").asInt()).as(stored.toString()).isEqualTo(200);
        assertThat(TestDb.count("select count(*) from webhook_inbox where id > ? and body = ?", before, webhook))
                .isEqualTo(1);
    }

    @Test
    void aWebhookWithAWrongSignatureIsRefusedAndNothingIsStored() {
        String webhook = MetaWebhooks.text(MetaWebhooks.freshWaId(), "forged").toString();
        long before = MetaWebhooks.lastInboxId();
        JsonNode refused = invoke(request("POST", "/webhooks/whatsapp", "",
                Map.of("Content-Type", "application/json", "X-Hub-Signature-256", MetaWebhooks.sign(webhook + " ")),
                webhook));
        assertThat(refused.path("statusCode").asInt()).isEqualTo(401);
        assertThat(MetaWebhooks.lastInboxId()).isEqualTo(before);
    }

    @Test
    void withoutTheApiKeyTheFunctionAnswers401() {
        JsonNode refused = invoke(request("POST", "/v1/messages", "", Map.of("Content-Type", "application/json"),
                "{\"to\":\"+5511987654321\",\"type\":\"text\",\"text\":{\"body\":\"x\"}}"));
        assertThat(refused.path("statusCode").asInt()).isEqualTo(401);
        assertThat(jsonBody(refused).path("status").asInt()).isEqualTo(401);
    }

    @Test
    void theEventStreamIsNotServedByTheFunction() {
        // a stream would hold the function until its timeout: the route is not there (the dead events' route is)
        JsonNode stream = invoke(request("GET", "/v1/events", "", Map.of("Authorization", "Bearer test-key",
                "Accept", "text/event-stream"), null));
        assertThat(stream.path("statusCode").asInt()).as(stream.toString()).isEqualTo(404);
        JsonNode dead = invoke(request("GET", "/v1/events/dead", "", API_KEY, null));
        assertThat(dead.path("statusCode").asInt()).as(dead.toString()).isEqualTo(200);
    }

    @Test
    void theFunctionNeverDispatchesAndRunsNoJob() {
        var config = ConfigProvider.getConfig();
        assertThat(config.getValue("gateway.dispatch.enabled", Boolean.class)).isFalse();
        assertThat(config.getValue("quarkus.scheduler.enabled", Boolean.class)).isFalse();
        assertThat(config.getValue("quarkus.datasource.reactive.max-size", Integer.class)).isLessThanOrEqualTo(5);
    }
}
