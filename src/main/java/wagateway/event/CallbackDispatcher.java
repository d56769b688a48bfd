package wagateway.event;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.config.GatewayConfig;
import wagateway.support.Backoff;

/**
 * Delivers the event outbox to the business (spec §2 "Events to the business"): signed POSTs, retried with
 * exponential backoff and jitter until a 2xx or {@code gateway.callbacks.max-age}, then kept as {@code dead}.
 *
 * <p>
 * Each event's delivery is claimed by moving its {@code next_attempt_at} past the request timeout (a lease:
 * no transaction stays open during the HTTP call, and another replica takes over after a crash). An event
 * waits while an earlier event of the same message (or, for {@code message.received}, of the same contact)
 * is still pending, so the business sees each message's events in order. Delivery is at least once: the
 * receiver deduplicates on {@code X-Wagateway-Event-Id}.
 */
@ApplicationScoped
public class CallbackDispatcher {

    public static final String EVENT_ID_HEADER = "X-Wagateway-Event-Id";
    public static final String EVENT_TYPE_HEADER = "X-Wagateway-Event-Type";
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);

    private static final String CLAIM = """
            with due as (
                select e.id from event_outbox e
                where e.state = 'pending' and e.next_attempt_at <= $1
                  and not exists (select 1 from event_outbox p where p.state = 'pending' and p.id < e.id
                      and (p.message_id = e.message_id
                           or (e.message_id is null and p.message_id is null and p.contact_phone = e.contact_phone)))
                order by e.id
                limit $2
                for update of e skip locked)
            update event_outbox o set next_attempt_at = $3 from due where o.id = due.id
            returning o.id, o.type, o.message_id, o.url, o.payload, o.attempts, o.created_at""";

    /** One event claimed for delivery. */
    record Due(long id, String type, UUID messageId, String url, JsonObject payload, int attempts, Instant createdAt) {

        static Due of(Row row) {
            return new Due(row.getLong("id"), row.getString("type"), row.getUUID("message_id"), row.getString("url"),
                    row.getJsonObject("payload"), row.getInteger("attempts"),
                    row.getOffsetDateTime("created_at").toInstant());
        }
    }

    private final Pool pool;
    private final WebClient client;
    private final CallbackSigner signer;
    private final CallbackMetrics metrics;
    private final GatewayConfig.Callbacks config;
    private final Backoff backoff;
    private final Clock clock;

    CallbackDispatcher(Pool pool, Vertx vertx, CallbackSigner signer, CallbackMetrics metrics, GatewayConfig config,
            Clock clock) {
        this.pool = pool;
        this.signer = signer;
        this.metrics = metrics;
        this.config = config.callbacks();
        this.backoff = new Backoff(this.config.retryInitialBackoff(), this.config.retryMaxBackoff());
        this.clock = clock;
        this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("wagateway-callbacks")
                .setFollowRedirects(false).setConnectTimeout((int) this.config.timeout().toMillis()));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** Claims due events (one batch) and delivers them. @return how many were attempted */
    public Uni<Integer> deliverDue() {
        Instant now = clock.instant();
        Instant leaseUntil = now.plus(config.timeout()).plus(LEASE_MARGIN);
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.of(now.atOffset(ZoneOffset.UTC), config.batchSize(), leaseUntil.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    List<Due> due = new ArrayList<>();
                    rows.forEach(row -> due.add(Due.of(row)));
                    due.sort(Comparator.comparingLong(Due::id));
                    return due;
                })
                .chain(due -> due.isEmpty() ? Uni.createFrom().item(0)
                        : Multi.createFrom().iterable(due)
                                .onItem().transformToUniAndMerge(this::deliver)
                                .collect().asList().map(List::size));
    }

    private Uni<Void> deliver(Due event) {
        Buffer body = body(event);
        return Uni.createFrom().deferred(() -> {
            var request = client.postAbs(event.url()).timeout(config.timeout().toMillis())
                    .putHeader("Content-Type", "application/json")
                    .putHeader(EVENT_ID_HEADER, String.valueOf(event.id()))
                    .putHeader(EVENT_TYPE_HEADER, event.type());
            signer.sign(body.getBytes()).ifPresent(signature -> request.putHeader(CallbackSigner.HEADER, signature));
            return request.sendBuffer(body);
        })
                .onItemOrFailure().transformToUni((response, error) -> outcome(event, response, error))
                // The lease runs out and the event is tried again: at least once, never lost.
                .onFailure().invoke(e -> Log.warnf("Could not record the delivery of event %d: %s", event.id(),
                        e.getMessage()))
                .onFailure().recoverWithNull();
    }

    private Uni<Void> outcome(Due event, HttpResponse<Buffer> response, Throwable error) {
        if (error == null && response.statusCode() / 100 == 2) {
            metrics.delivered();
            return pool.preparedQuery("update event_outbox set state = 'delivered', delivered_at = $2, "
                    + "attempts = attempts + 1, last_error = null where id = $1")
                    .execute(Tuple.of(event.id(), clock.instant().atOffset(ZoneOffset.UTC))).replaceWithVoid();
        }
        metrics.failed();
        String reason = error != null ? error.getClass().getSimpleName() + ": " + error.getMessage()
                : "HTTP " + response.statusCode();
        int attempts = event.attempts() + 1;
        Instant now = clock.instant();
        Instant deadline = event.createdAt().plus(config.maxAge());
        boolean dead = !now.isBefore(deadline);
        Duration delay = backoff.delay(attempts, ThreadLocalRandom.current());
        Instant next = dead ? now : min(now.plus(delay), deadline);
        if (dead) {
            Log.warnf("Event %d (%s) is dead after %d attempts: %s", event.id(), event.type(), attempts, reason);
        } else {
            Log.debugf("Event %d attempt %d failed (%s); next at %s", event.id(), attempts, reason, next);
        }
        return pool.preparedQuery("update event_outbox set attempts = $2, last_error = $3, state = $4, "
                + "next_attempt_at = $5 where id = $1")
                .execute(Tuple.tuple().addLong(event.id()).addInteger(attempts)
                        .addString(reason.length() > 500 ? reason.substring(0, 500) : reason)
                        .addString(dead ? "dead" : "pending").addOffsetDateTime(next.atOffset(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    /** The event's body ({@link EventBody}); these exact bytes are signed. */
    static Buffer body(Due event) {
        return Buffer.buffer(EventBody.of(event.id(), event.type(), event.createdAt(), event.payload()).encode());
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
