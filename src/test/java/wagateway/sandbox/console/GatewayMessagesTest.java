package wagateway.sandbox.console;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpServer;
import wagateway.sandbox.SandboxConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The console learns what the gateway did through the gateway's public API only, and copes without it: no
 * gateway configured, a wrong key, a gateway that is not there. A stand-in gateway answers
 * {@code GET /v1/messages}; no Quarkus start.
 */
class GatewayMessagesTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static Vertx vertx;
    static HttpServer gateway;
    static final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startGateway() {
        vertx = Vertx.vertx();
        gateway = vertx.createHttpServer().requestHandler(request -> {
            requests.add(request.uri() + " " + request.getHeader("Authorization"));
            if (!"Bearer good-key".equals(request.getHeader("Authorization"))) {
                request.response().setStatusCode(401).endAndForget();
                return;
            }
            JsonObject refused = new JsonObject().put("id", "0190").put("status", "rejected").put("reason", "window_closed")
                    .put("to", "+5511987654321").put("type", "text").put("attempts", 0)
                    .put("createdAt", "2026-01-02T03:04:05.123Z").put("updatedAt", "2026-01-02T03:04:06Z");
            JsonObject retrying = new JsonObject().put("id", "0191").put("status", "queued").put("to", "+5511987654321")
                    .put("type", "template").put("attempts", 3).put("wamid", "wamid.X")
                    .put("error", new JsonObject().put("code", 2).put("title", "Service temporarily unavailable"))
                    .put("createdAt", "2026-01-02T03:04:07Z").put("updatedAt", "2026-01-02T03:04:09Z");
            request.response().putHeader("Content-Type", "application/json")
                    .endAndForget(new JsonObject().put("items", new JsonArray().add(retrying).add(refused)).encode());
        }).listenAndAwait(0);
    }

    @AfterAll
    static void stop() {
        vertx.closeAndAwait();
    }

    static GatewayMessages messages(String url, String key) {
        Map<String, String> p = new HashMap<>();
        p.put("quarkus.http.port", "8080");
        if (url != null) {
            p.put("gateway.sandbox.gateway-url", url);
        }
        if (key != null) {
            p.put("gateway.sandbox.gateway-api-key", key);
        }
        SandboxConfig config = new SmallRyeConfigBuilder().withMapping(SandboxConfig.class)
                .withSources(new PropertiesConfigSource(p, "test", 100)).build().getConfigMapping(SandboxConfig.class);
        return new GatewayMessages(vertx, config);
    }

    static String gatewayUrl() {
        return "http://localhost:" + gateway.actualPort() + "/";
    }

    @Test
    void readsARecipientsMessagesThroughTheApiWithTheKey() {
        requests.clear();
        List<GatewayMessages.Outcome> outcomes = messages(gatewayUrl(), "good-key").forRecipient("+5511987654321")
                .await().atMost(WAIT);
        assertThat(requests).containsExactly("/v1/messages?to=%2B5511987654321&limit=200 Bearer good-key");
        assertThat(outcomes).containsExactly(
                new GatewayMessages.Outcome("0191", "queued", null, 3, "wamid.X", 2, "Service temporarily unavailable",
                        "template", "2026-01-02T03:04:07Z"),
                new GatewayMessages.Outcome("0190", "rejected", "window_closed", 0, null, null, null, "text",
                        "2026-01-02T03:04:05.123Z"));
    }

    @Test
    void theFingerprintFollowsTheNewestMessages() {
        String fingerprint = messages(gatewayUrl(), "good-key").fingerprint().await().atMost(WAIT);
        assertThat(fingerprint).contains("0191:queued:3:2026-01-02T03:04:09Z").contains("0190:rejected:0:");
    }

    @Test
    void aWrongKeyOrAnAbsentGatewayLeavesTheThreadToTheSandbox() {
        assertThat(messages(gatewayUrl(), "wrong-key").forRecipient("+5511987654321").await().atMost(WAIT)).isEmpty();
        String nobody = "http://localhost:1";
        assertThat(messages(nobody, "good-key").forRecipient("+5511987654321").await().atMost(WAIT)).isEmpty();
        assertThatThrownBy(() -> messages(nobody, "good-key").fingerprint().await().atMost(WAIT))
                .as("the event stream recovers from this itself").isNotNull();
    }

    @Test
    void withoutAGatewayNothingIsAsked() {
        GatewayMessages none = messages(null, null);
        assertThat(none.configured()).isFalse();
        assertThat(none.forRecipient("+5511987654321").await().atMost(WAIT)).isEmpty();
        assertThat(none.fingerprint().await().atMost(WAIT)).isEmpty();
    }
}
