package wagateway.webhook;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.logging.Log;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * {@code POST /v1/webhooks/failed/reapply} (API key): after a fix, every stored webhook that used up its
 * attempts goes back to {@code pending} with its attempts from zero, and the drain starts at once.
 */
@Path("/v1/webhooks/failed/reapply")
@Produces(MediaType.APPLICATION_JSON)
public class FailedWebhookResource {

    private final WebhookInbox inbox;
    private final WebhookApplier applier;
    private final WebhookMetrics metrics;

    FailedWebhookResource(WebhookInbox inbox, WebhookApplier applier, WebhookMetrics metrics) {
        this.inbox = inbox;
        this.applier = applier;
        this.metrics = metrics;
    }

    /** The answer: how many failed webhooks were queued again. */
    @RegisterForReflection
    public record Reapplied(int queued) {
    }

    @POST
    public Uni<Reapplied> reapply() {
        return inbox.reapplyFailed()
                .call(queued -> inbox.counts().invoke(counts -> metrics.inbox(counts[0], counts[1])))
                .invoke(queued -> {
                    if (queued > 0) {
                        Log.infof("%d failed stored webhooks queued to be applied again", queued);
                        applier.nudge();
                    }
                })
                .map(Reapplied::new);
    }
}
