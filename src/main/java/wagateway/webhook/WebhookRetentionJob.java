package wagateway.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.config.GatewayConfig;
import wagateway.support.ChunkedDelete;

/**
 * Keeps raw webhooks (personal data) to {@code gateway.webhook.retention} after they arrived: applied and
 * failed rows older than that are deleted (operators reapply failed ones before); pending rows are kept until
 * applied. The digests of received bodies are kept {@link #DIGEST_KEPT} (Meta's retry horizon) on their own,
 * so a short body retention does not reopen replays. Deletes in chunks of {@value #CHUNK} (short
 * transactions, no long locks) until none are due, every minute: a backlog of any size is gone in one run.
 */
@ApplicationScoped
public class WebhookRetentionJob {

    static final int CHUNK = 5_000;

    /** Meta retries a webhook for up to 7 days: a body seen in that time is a retry or a replay. */
    static final Duration DIGEST_KEPT = Duration.ofDays(7);

    private static final String PURGE_INBOX = "delete from webhook_inbox where id in (select id from webhook_inbox "
            + "where received_at < $1 and state <> 'pending' limit " + CHUNK + ")";
    private static final String PURGE_DIGESTS = "delete from webhook_digest where digest in (select digest "
            + "from webhook_digest where seen_at < $1 limit " + CHUNK + ")";

    private final Pool pool;
    private final GatewayConfig config;
    private final Clock clock;

    WebhookRetentionJob(Pool pool, GatewayConfig config, Clock clock) {
        this.pool = pool;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(identity = "webhook-retention", every = "PT1M", delayed = "PT30S", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduled() {
        return purge().replaceWithVoid();
    }

    /** @return how many stored webhooks were deleted (digests not counted) */
    public Uni<Integer> purge() {
        var bodiesBefore = before(config.webhook().retention());
        var digestsBefore = before(DIGEST_KEPT);
        return ChunkedDelete.run(pool, PURGE_INBOX, Tuple.of(bodiesBefore), CHUNK, Integer.MAX_VALUE)
                .call(bodies -> ChunkedDelete.run(pool, PURGE_DIGESTS, Tuple.of(digestsBefore), CHUNK, Integer.MAX_VALUE)
                        .invoke(digests -> {
                            if (bodies + digests > 0) {
                                Log.debugf("Purged %d stored webhooks older than %s and %d digests older than %s", bodies,
                                        config.webhook().retention(), digests, DIGEST_KEPT);
                            }
                        }));
    }

    private OffsetDateTime before(Duration age) {
        return clock.instant().minus(age).atOffset(ZoneOffset.UTC);
    }
}
