package wagateway.webhook;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import wagateway.config.GatewayConfig;
import wagateway.message.OrphanStatuses;

/**
 * The safety net behind the immediate apply: every {@code gateway.webhook.drain-interval} it applies stored
 * webhooks still pending (a crash, a failure), applies orphan statuses whose message has shown up, refreshes
 * the inbox gauges and purges what is past retention.
 */
@ApplicationScoped
public class WebhookDrainJob {

    private final WebhookApplier applier;
    private final OrphanStatuses orphans;
    private final WebhookInbox inbox;
    private final WebhookMetrics metrics;
    private final GatewayConfig config;

    WebhookDrainJob(WebhookApplier applier, OrphanStatuses orphans, WebhookInbox inbox, WebhookMetrics metrics,
            GatewayConfig config) {
        this.applier = applier;
        this.orphans = orphans;
        this.inbox = inbox;
        this.metrics = metrics;
        this.config = config;
    }

    @Scheduled(identity = "webhook-drain", every = "${gateway.webhook.drain-interval:PT5S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> drain() {
        return applier.applyPending()
                .chain(orphans::sweep)
                .chain(() -> inbox.purgeApplied(config.webhook().retention()))
                .chain(() -> orphans.purge(config.webhook().retention()))
                .chain(inbox::counts)
                .invoke(counts -> metrics.inbox(counts[0], counts[1]))
                .replaceWithVoid();
    }
}
