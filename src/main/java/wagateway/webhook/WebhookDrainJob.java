package wagateway.webhook;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import wagateway.config.GatewayConfig;
import wagateway.message.OrphanStatuses;

/**
 * The safety net behind the immediate apply: every {@code gateway.webhook.drain-interval} it applies stored
 * webhooks still pending and due (a crash, a failure past its back-off), applies orphan statuses whose message
 * has shown up, purges orphans past retention and refreshes the inbox gauges. Stored webhooks past retention
 * are purged by {@link WebhookRetentionJob}.
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
                .chain(() -> orphans.purge(config.webhook().retention()))
                .chain(inbox::counts)
                .invoke(counts -> metrics.inbox(counts[0], counts[1]))
                .replaceWithVoid();
    }
}
