package wagateway.webhook;

import java.io.IOException;
import java.time.Duration;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * Meta's webhook (spec §2 "Webhook from Meta"): the verification handshake, and deliveries, which are
 * verified over their exact bytes, stored as they came, answered 200 at once and applied from the store.
 */
@Path("/webhooks/whatsapp")
public class WhatsAppWebhookResource {

    private final WebhookSignatureVerifier verifier;
    private final WebhookInbox inbox;
    private final WebhookMetrics metrics;
    private final WebhookApplier applier;
    private final ObjectReader strictJson;
    private final RefusalLog refusals = new RefusalLog(Duration.ofMinutes(1), System::nanoTime);

    WhatsAppWebhookResource(WebhookSignatureVerifier verifier, WebhookInbox inbox, WebhookMetrics metrics,
            WebhookApplier applier, ObjectMapper mapper) {
        this.verifier = verifier;
        this.inbox = inbox;
        this.metrics = metrics;
        this.applier = applier;
        this.strictJson = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Echoes {@code hub.challenge} as text/plain when the token is ours; 403 otherwise. */
    @GET
    public RestResponse<String> verify(@RestQuery("hub.mode") String mode, @RestQuery("hub.verify_token") String token,
            @RestQuery("hub.challenge") String challenge) {
        if (!"subscribe".equals(mode) || challenge == null || !verifier.isVerifyToken(token)) {
            throw new ProblemException(Problem.of("webhook-verification", "Forbidden", 403,
                    "hub.mode must be subscribe and hub.verify_token must match the configured token"));
        }
        return RestResponse.ResponseBuilder.ok(challenge, MediaType.TEXT_PLAIN_TYPE).build();
    }

    /**
     * 401 for a missing or wrong signature and 400 for a body that is not a JSON object, both with nothing
     * stored; otherwise 200 as soon as the body is stored, or at once when the same bytes were received in the
     * last 7 days (a retry or a replay: not stored again).
     */
    @POST
    public Uni<RestResponse<Void>> receive(byte[] body, @RestHeader("X-Hub-Signature-256") String signature) {
        if (!verifier.isAuthentic(body, signature)) {
            metrics.received("unauthorized");
            long unlogged = refusals.refused();
            if (unlogged >= 0) {
                Log.warnf("Webhook refused: %s signature (%d more refused since the last such line; at most one line "
                        + "a minute, all counted in wagateway_webhooks_received_total{outcome=\"unauthorized\"})",
                        signature == null ? "missing" : "invalid", unlogged);
            }
            throw new ProblemException(Problem.of("webhook-signature", "Unauthorized", 401,
                    "X-Hub-Signature-256 is missing or does not match the body"));
        }
        if (!isJsonObject(body)) {
            metrics.received("malformed");
            throw new ProblemException(Problem.of("malformed-json", "Bad Request", 400, "The body is not a JSON object"));
        }
        return inbox.store(body)
                .invoke(id -> {
                    if (id == null) {
                        // the same bytes were stored before: Meta's own retry (it had no answer in time) or a replay
                        metrics.received("duplicate");
                    } else {
                        metrics.received("accepted");
                        applier.nudge();
                    }
                })
                .map(id -> RestResponse.ok());
    }

    private boolean isJsonObject(byte[] body) {
        try {
            JsonNode node = strictJson.readTree(body);
            return node != null && node.isObject();
        } catch (IOException e) {
            return false;
        }
    }
}
