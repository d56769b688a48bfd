package wagateway.webhook;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.quarkus.vertx.ConsumeEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;

import wagateway.config.GatewayConfig;
import wagateway.webhook.api.WebhookBatch;

/**
 * Applies stored webhooks: each row in one transaction (all of it or nothing), statuses, messages and
 * preferences in the order Meta sent them. Started right after a webhook is stored (event bus, so Meta's
 * answer never waits) and by {@link WebhookDrainJob} for anything left pending. A row that keeps failing is
 * marked {@code failed} after {@code gateway.webhook.max-apply-attempts} and stays visible.
 */
@ApplicationScoped
public class WebhookApplier {

    /** Event-bus address that carries the id of a freshly stored webhook. */
    public static final String STORED = "wagateway.webhook.stored";

    private final WebhookInbox inbox;
    private final StatusUpdateHandler statuses;
    private final InboundMessageHandler messages;
    private final MarketingPreferenceHandler preferences;
    private final WebhookMetrics metrics;
    private final ObjectMapper mapper;
    private final Pool pool;
    private final GatewayConfig config;

    WebhookApplier(WebhookInbox inbox, StatusUpdateHandler statuses, InboundMessageHandler messages,
            MarketingPreferenceHandler preferences, WebhookMetrics metrics, ObjectMapper mapper, Pool pool,
            GatewayConfig config) {
        this.inbox = inbox;
        this.statuses = statuses;
        this.messages = messages;
        this.preferences = preferences;
        this.metrics = metrics;
        this.mapper = mapper;
        this.pool = pool;
        this.config = config;
    }

    @ConsumeEvent(STORED)
    Uni<Void> onStored(Long id) {
        return apply(id);
    }

    /** Applies one stored webhook unless it is applied, failed, or being applied elsewhere. Never fails. */
    public Uni<Void> apply(long id) {
        return pool.withTransaction(tx -> inbox.claim(tx, id).chain(claimed -> claimed == null
                ? Uni.createFrom().voidItem()
                : applyBody(tx, claimed.body()).call(() -> inbox.markApplied(tx, id)).invoke(metrics::applied)))
                .onFailure().recoverWithUni(e -> recordFailure(id, e));
    }

    /** Applies every pending row, oldest first. */
    public Uni<Void> applyPending() {
        return inbox.pendingIds(200)
                .onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndConcatenate(this::apply)
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> applyBody(SqlClient tx, String body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (Exception e) {
            return Uni.createFrom().failure(e);
        }
        WebhookBatch batch = WebhookPayloadReader.read(root);
        batch.errors().forEach(error -> Log.warnf("Meta reports webhook error %s: %s", error.code(), error.title()));
        return inOrder(tx, batch.statuses(), statuses::apply)
                .chain(() -> inOrder(tx, batch.messages(), messages::apply))
                .chain(() -> inOrder(tx, batch.userPreferences(), preferences::apply));
    }

    private static <T> Uni<Void> inOrder(SqlClient tx, List<T> items, Handler<T> handler) {
        if (items.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(items)
                .onItem().transformToUniAndConcatenate(item -> handler.apply(tx, item))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> recordFailure(long id, Throwable error) {
        String reason = error.getClass().getSimpleName() + ": " + error.getMessage();
        Log.warnf("Stored webhook %d failed to apply (%s)", id, error.getClass().getSimpleName());
        return inbox.recordFailure(id, reason.length() > 1000 ? reason.substring(0, 1000) : reason,
                config.webhook().maxApplyAttempts())
                .invoke(failed -> {
                    if (failed) {
                        metrics.failed();
                        Log.errorf("Stored webhook %d failed %d times: marked failed (see webhook_inbox.last_error)", id,
                                config.webhook().maxApplyAttempts());
                    }
                })
                .replaceWithVoid()
                .onFailure().invoke(e -> Log.warnf("Could not record the failure of webhook %d: %s", id, e.getMessage()))
                .onFailure().recoverWithNull();
    }

    @FunctionalInterface
    private interface Handler<T> {
        Uni<Void> apply(SqlClient tx, T item);
    }

}
