package wagateway.webhook;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import wagateway.cloudapi.webhook.InboundMessage;
import wagateway.cloudapi.webhook.StatusUpdate;
import wagateway.cloudapi.webhook.TemplateChange;
import wagateway.cloudapi.webhook.WebhookBatch;
import wagateway.config.GatewayConfig;
import wagateway.message.MetaStatusApplier;
import wagateway.support.Backoff;
import wagateway.support.CoalescingRunner;
import wagateway.template.TemplateWebhooks;

/**
 * Applies stored webhooks. The normal path is a drain: it claims up to {@code gateway.webhook.apply-batch-size}
 * pending rows (skipping rows another replica holds) and applies all of them in ONE transaction: every status of
 * the batch set-based ({@link MetaStatusApplier}), then every inbound message set-based, in the order Meta sent
 * them ({@link InboundMessageHandler}), and preferences row by row. A webhook being stored nudges the drain
 * ({@link #nudge}, coalesced: one drain at a time per replica, run again when nudged meanwhile);
 * {@link WebhookDrainJob} catches the rest. If a batch fails, its rows are applied one by one, each in its own
 * transaction ({@link #apply}: the same code with a batch of one), so a bad row cannot hold back the others. A
 * row whose own apply fails waits out a back-off ({@code gateway.webhook.retry-initial-backoff} doubling up to
 * {@code retry-max-backoff}) before it is claimed again, so a flood of nudges cannot burn its attempts; after
 * {@code gateway.webhook.max-apply-attempts} real attempts it is marked {@code failed} and stays visible until
 * reapplied ({@code POST /v1/webhooks/failed/reapply}).
 */
@ApplicationScoped
public class WebhookApplier {

    private final WebhookInbox inbox;
    private final MetaStatusApplier statuses;
    private final InboundMessageHandler messages;
    private final MarketingPreferenceHandler preferences;
    private final WebhookMetrics metrics;
    private final ObjectMapper mapper;
    private final Pool pool;
    private final GatewayConfig config;
    private final CoalescingRunner drains;
    private final Backoff backoff;
    private final Clock clock;
    private final TemplateWebhooks templates;

    WebhookApplier(WebhookInbox inbox, MetaStatusApplier statuses, InboundMessageHandler messages,
            MarketingPreferenceHandler preferences, WebhookMetrics metrics,
            ObjectMapper mapper, Pool pool, GatewayConfig config, Clock clock, TemplateWebhooks templates) {
        this.templates = templates;
        this.inbox = inbox;
        this.statuses = statuses;
        this.messages = messages;
        this.preferences = preferences;
        this.metrics = metrics;
        this.mapper = mapper;
        this.pool = pool;
        this.config = config;
        this.clock = clock;
        this.backoff = new Backoff(config.webhook().retryInitialBackoff(), config.webhook().retryMaxBackoff());
        this.drains = new CoalescingRunner(() -> applyPending().replaceWith(false),
                failure -> Log.warnf("Webhook drain failed (%s); the drain job retries", failure.getMessage()),
                Runnable::run);
    }

    /**
     * A webhook was stored: drain now, without making the caller wait. Coalesced: while a drain runs, any
     * number of nudges make it run once more; webhooks stored meanwhile form the next batch.
     */
    public void nudge() {
        drains.request();
    }

    /** Applies due pending rows batch after batch until a batch comes back short. */
    public Uni<Void> applyPending() {
        return applyBatch().chain(claimed -> claimed < config.webhook().applyBatchSize()
                ? Uni.createFrom().voidItem()
                : applyPending());
    }

    /**
     * Claims and applies one batch in one transaction; on failure, applies the batch's rows one by one.
     *
     * @return how many rows were applied as a batch (0 after a fallback)
     */
    Uni<Integer> applyBatch() {
        List<Long> claimedIds = new ArrayList<>();
        List<TemplateChange> templateChanges = new ArrayList<>();
        return pool.withTransaction(tx -> inbox.claimPending(tx, config.webhook().applyBatchSize())
                .chain(claimed -> {
                    claimed.forEach(c -> claimedIds.add(c.id()));
                    templateChanges.clear(); // a retried transaction starts over
                    return claimed.isEmpty() ? Uni.createFrom().voidItem()
                            : applyAll(tx, claimed, templateChanges).chain(() -> inbox.markApplied(tx, claimedIds));
                }))
                .invoke(() -> claimedIds.forEach(id -> metrics.applied()))
                .invoke(() -> templates.committed(templateChanges))
                .replaceWith(claimedIds::size)
                .onFailure().recoverWithUni(e -> {
                    if (claimedIds.isEmpty()) {
                        return Uni.createFrom().failure(e);
                    }
                    Log.warnf("A batch of %d stored webhooks failed to apply (%s): applying them one by one",
                            claimedIds.size(), e.getClass().getSimpleName());
                    // 0: this drain stops here; the next nudge or drain tick goes on (no tight loop while a
                    // whole batch keeps failing)
                    return Multi.createFrom().iterable(claimedIds)
                            .onItem().transformToUniAndConcatenate(this::apply)
                            .collect().last().replaceWith(0);
                });
    }

    private Uni<Void> applyAll(SqlClient tx, List<WebhookInbox.Claimed> claimed, List<TemplateChange> templateChanges) {
        return applyBodies(tx, claimed.stream().map(WebhookInbox.Claimed::body).toList(), templateChanges);
    }

    /**
     * Applies stored webhooks in the order given: every status first, set-based (they never depend on the
     * inbound messages or preferences of the batch); then the inbound messages of all of them, set-based, in the
     * order Meta sent them; then preferences, row by row. A webhook with preferences (rare) applies the messages
     * before it and its own, then its preferences, so consent changes keep Meta's order.
     */
    private Uni<Void> applyBodies(SqlClient tx, List<String> bodies, List<TemplateChange> templateChanges) {
        List<WebhookBatch> batches = new ArrayList<>(bodies.size());
        List<StatusUpdate> allStatuses = new ArrayList<>();
        for (String body : bodies) {
            WebhookBatch batch;
            try {
                batch = read(body);
            } catch (Exception e) {
                return Uni.createFrom().failure(e);
            }
            batches.add(batch);
            allStatuses.addAll(batch.statuses());
            templateChanges.addAll(batch.templateChanges());
        }
        Uni<Void> chain = statuses.apply(tx, allStatuses);
        List<InboundMessage> pending = new ArrayList<>();
        for (WebhookBatch batch : batches) {
            pending.addAll(batch.messages());
            if (!batch.userPreferences().isEmpty()) {
                List<InboundMessage> before = List.copyOf(pending);
                pending.clear();
                chain = chain.chain(() -> inboundMessages(tx, before))
                        .chain(() -> inOrder(tx, batch.userPreferences(), preferences::apply));
            }
        }
        List<InboundMessage> rest = List.copyOf(pending);
        List<TemplateChange> templateRows = List.copyOf(templateChanges);
        return chain.chain(() -> inboundMessages(tx, rest)).chain(() -> templates.apply(tx, templateRows));
    }

    private Uni<Void> inboundMessages(SqlClient tx, List<InboundMessage> items) {
        return items.isEmpty() ? Uni.createFrom().voidItem() : messages.apply(tx, items);
    }

    /**
     * Applies one stored webhook unless it is applied, failed, not due, or being applied elsewhere. Never fails.
     * Only an apply that really ran (the row was claimed) counts as an attempt: a failure before the claim (the
     * database unreachable) leaves the row as it was.
     */
    public Uni<Void> apply(long id) {
        AtomicReference<WebhookInbox.Claimed> attempt = new AtomicReference<>();
        List<TemplateChange> templateChanges = new ArrayList<>();
        return pool.withTransaction(tx -> inbox.claim(tx, id).chain(claimed -> {
            if (claimed == null) {
                return Uni.createFrom().voidItem();
            }
            attempt.set(claimed);
            templateChanges.clear();
            return applyBodies(tx, List.of(claimed.body()), templateChanges)
                    .call(() -> inbox.markApplied(tx, List.of(id)))
                    .invoke(metrics::applied);
        }))
                .invoke(() -> templates.committed(templateChanges))
                .onFailure().recoverWithUni(e -> attempt.get() == null ? notAttempted(id, e)
                        : recordFailure(attempt.get(), e));
    }

    private static Uni<Void> notAttempted(long id, Throwable error) {
        Log.warnf("Stored webhook %d could not be claimed (%s); the drain job tries again", id, error.getMessage());
        return Uni.createFrom().voidItem();
    }

    private WebhookBatch read(String body) throws IOException {
        WebhookBatch batch = WebhookPayloadReader.read(mapper.readTree(body));
        batch.errors().forEach(error -> Log.warnf("Meta reports webhook error %s: %s", error.code(), error.title()));
        return batch;
    }

    private static <T> Uni<Void> inOrder(SqlClient tx, List<T> items, Handler<T> handler) {
        if (items.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(items)
                .onItem().transformToUniAndConcatenate(item -> handler.apply(tx, item))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> recordFailure(WebhookInbox.Claimed claimed, Throwable error) {
        long id = claimed.id();
        int failedAttempts = claimed.attempts() + 1;
        String reason = error.getClass().getSimpleName() + ": " + error.getMessage();
        Instant next = clock.instant().plus(backoff.delay(failedAttempts, ThreadLocalRandom.current()));
        Log.warnf("Stored webhook %d failed to apply (attempt %d, %s); next attempt at %s", id, failedAttempts,
                error.getClass().getSimpleName(), next);
        return inbox.recordFailure(claimed, reason.length() > 1000 ? reason.substring(0, 1000) : reason,
                config.webhook().maxApplyAttempts(), next)
                .invoke(failed -> {
                    if (failed) {
                        metrics.failed();
                        Log.errorf("Stored webhook %d failed %d times: marked failed (see webhook_inbox.last_error; "
                                + "POST /v1/webhooks/failed/reapply after a fix)", id, config.webhook().maxApplyAttempts());
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
