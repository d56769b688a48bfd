package wagateway.sandbox.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import wagateway.sandbox.SandboxConfig;

/**
 * What the gateway says it did with its messages, read through its public API ({@code GET /v1/messages}, with
 * {@code gateway.sandbox.gateway-api-key}) as any client of it would: the console shows from it what the
 * sandbox never saw (messages a policy refused, messages the dispatcher is still retrying). The simulator knows
 * nothing of the gateway's tables. Without {@code gateway.sandbox.gateway-url}, or while that gateway cannot be
 * reached, this reports nothing and the console shows the sandbox's side only.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class GatewayMessages {

    /** The gateway's view of one outbound message. */
    public record Outcome(String id, String status, String reason, int attempts, String wamid, Integer errorCode,
            String errorTitle, String type, String createdAt) {
    }

    /** As many as the console showed when it read the table; the API's page limit is 500. */
    static final int PER_RECIPIENT = 200;
    /** The newest messages: the ones a console user is watching change. */
    static final int RECENT = 100;

    private final Optional<String> baseUrl;
    private final Optional<String> apiKey;
    private final WebClient client;
    /** The last problem reported, so an unreachable gateway is logged once, not on every poll. */
    private final AtomicReference<String> lastProblem = new AtomicReference<>();

    GatewayMessages(Vertx vertx, SandboxConfig config) {
        this.baseUrl = config.gatewayUrl().map(String::trim).filter(s -> !s.isEmpty())
                .map(url -> url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        this.apiKey = config.gatewayApiKey().filter(s -> !s.isBlank());
        this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(1_000).setMaxPoolSize(4));
        if (baseUrl.isPresent() && apiKey.isEmpty()) {
            Log.warn("The sandbox console reads the gateway's API without a key: set gateway.sandbox.gateway-api-key");
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** Whether a gateway is configured to be asked at all. */
    public boolean configured() {
        return baseUrl.isPresent();
    }

    /** The latest messages to this recipient (E.164 with '+'), newest first; empty when the gateway cannot say. */
    public Uni<List<Outcome>> forRecipient(String phone) {
        return list("to=" + URLEncoder.encode(phone, StandardCharsets.UTF_8) + "&limit=" + PER_RECIPIENT)
                .map(GatewayMessages::outcomes)
                .onFailure().recoverWithItem(List.of());
    }

    /**
     * A summary of the newest messages (ids, statuses, attempts, last change) that differs whenever one is
     * created, tried again, refused or moves on: the console's event stream polls it, since the gateway has no
     * feed of attempts the sandbox could follow. {@code ""} when no gateway is configured.
     */
    public Uni<String> fingerprint() {
        return list("limit=" + RECENT).map(page -> {
            StringBuilder summary = new StringBuilder();
            for (Object item : items(page)) {
                JsonObject m = (JsonObject) item;
                summary.append(m.getString("id")).append(':').append(m.getString("status")).append(':')
                        .append(m.getInteger("attempts", 0)).append(':').append(m.getString("updatedAt")).append(';');
            }
            return summary.toString();
        });
    }

    private Uni<JsonObject> list(String query) {
        if (baseUrl.isEmpty()) {
            return Uni.createFrom().item(new JsonObject());
        }
        var request = client.getAbs(baseUrl.get() + "/v1/messages?" + query).timeout(2_000);
        apiKey.ifPresent(request::bearerTokenAuthentication);
        return request.send().map(this::page).onFailure().invoke(this::report);
    }

    private JsonObject page(HttpResponse<Buffer> response) {
        if (response.statusCode() != 200) {
            throw new UnexpectedAnswer(response.statusCode());
        }
        lastProblem.set(null);
        return response.bodyAsJsonObject();
    }

    private void report(Throwable failure) {
        // a client exception's message can carry the request URI, and with it a customer's phone: name its kind only
        String problem = failure instanceof UnexpectedAnswer ? failure.getMessage() : failure.getClass().getSimpleName();
        if (!problem.equals(lastProblem.getAndSet(problem))) {
            // the URL is configuration, not a secret; the key is never logged
            Log.infof("The sandbox console cannot read the gateway at %s (%s): threads show the sandbox's side only",
                    baseUrl.orElse("?"), problem);
        }
    }

    /** The gateway answered, but not with a page of messages (401: a wrong key). */
    static final class UnexpectedAnswer extends RuntimeException {
        UnexpectedAnswer(int status) {
            super("HTTP " + status + " from GET /v1/messages", null, false, false);
        }
    }

    private static JsonArray items(JsonObject page) {
        JsonArray items = page.getJsonArray("items");
        return items == null ? new JsonArray() : items;
    }

    private static List<Outcome> outcomes(JsonObject page) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Object item : items(page)) {
            JsonObject m = (JsonObject) item;
            JsonObject error = m.getJsonObject("error");
            outcomes.add(new Outcome(m.getString("id"), m.getString("status"), m.getString("reason"),
                    m.getInteger("attempts", 0), m.getString("wamid"), error == null ? null : error.getInteger("code"),
                    error == null ? null : error.getString("title"), m.getString("type"), m.getString("createdAt")));
        }
        return outcomes;
    }
}
