package wagateway.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.cloudapi.CloudApiClient;
import wagateway.config.GatewayConfig;
import wagateway.event.EventOutbox;

/**
 * The read receipts a sender owes, as its {@link MessageDispatcher.SenderLoop} sees them: claim the due ones
 * ({@code inbound_message.read_state = 'pending'}), send each through {@link CloudApiClient} (the same timeout
 * and circuit breaker as messages; the loop spends a rate-limiter permit on each), record a batch's results in
 * one transaction with a {@code message.read_receipt} event for each receipt that was sent or failed.
 *
 * <p>
 * A claim pushes the row's due time one dispatch lease ahead instead of holding a lock across the call: if
 * this replica dies mid-call the row simply falls due again (at least once; a read receipt sent twice is
 * harmless at Meta).
 */
@ApplicationScoped
public class ReadReceipts {

    /** The event told to the business when a read receipt went (or failed for good). */
    public static final String EVENT = "message.read_receipt";

    /**
     * WhatsApp dismisses a typing indicator after 25 s: a retry later than that sends the plain read receipt
     * rather than a typing bubble that no reply follows.
     */
    static final Duration TYPING_LIFETIME = Duration.ofSeconds(25);

    private static final String CLAIM = "with due as (select id from inbound_message "
            + "where sender = $1 and read_state = 'pending' and read_next_attempt_at <= $2 "
            + "order by read_next_attempt_at, id limit $3 for update skip locked) "
            + "update inbound_message m set read_next_attempt_at = $4 from due where m.id = due.id "
            + "returning m.id, m.wamid, m.from_phone, m.sender, m.read_typing, m.read_attempts, m.read_requested_at";

    /** Only a row still pending changes: the first record wins if two replicas ever raced on one. */
    private static final String RECORD = "update inbound_message set read_state = $2, "
            + "read_at = case when $2 = 'sent' then $3 else read_at end, read_attempts = read_attempts + $4, "
            + "read_next_attempt_at = $5, read_error_code = $6, read_error_title = $7 "
            + "where id = $1 and read_state = 'pending' returning id";

    /** A pending read receipt this replica claimed. */
    public record Claimed(UUID id, String wamid, String phone, String sender, boolean typing, int attempts,
            Instant requestedAt) {
    }

    /** How one read receipt left the dispatcher's hands. */
    public sealed interface Result {
        Claimed receipt();

        record Sent(Claimed receipt) implements Result {
        }

        /** Due again at {@code at}; {@code countAttempt} false when the call never reached the API. */
        record Retry(Claimed receipt, Instant at, boolean countAttempt, Integer code, String title) implements Result {
        }

        record Failed(Claimed receipt, Integer code, String title) implements Result {
        }
    }

    private final Pool pool;
    private final CloudApiClient cloudApi;
    private final EventOutbox outbox;
    private final ObjectMapper mapper;
    private final MeterRegistry metrics;
    private final GatewayConfig config;
    private final ReadReceiptOutcomes outcomes;

    ReadReceipts(Pool pool, CloudApiClient cloudApi, EventOutbox outbox, ObjectMapper mapper, MeterRegistry metrics,
            GatewayConfig config) {
        this.pool = pool;
        this.cloudApi = cloudApi;
        this.outbox = outbox;
        this.mapper = mapper;
        this.metrics = metrics;
        this.config = config;
        var d = config.dispatch();
        this.outcomes = new ReadReceiptOutcomes(
                new RetrySchedule(d.retryInitialBackoff(), d.retryMaxBackoff(), d.maxAttempts()),
                Duration.ofSeconds(5), d.authPause());
    }

    /** Takes up to {@code limit} due read receipts of one sender, oldest request first. */
    public Uni<List<Claimed>> claim(String sender, int limit, Instant now) {
        if (limit <= 0) {
            return Uni.createFrom().item(List.of());
        }
        return pool.withTransaction(tx -> tx.preparedQuery(CLAIM)
                .execute(Tuple.of(sender, utc(now), limit, utc(now.plus(config.dispatch().lease())))))
                .map(rows -> {
                    List<Claimed> claimed = new ArrayList<>();
                    rows.forEach(row -> claimed.add(claimed(row)));
                    return claimed;
                });
    }

    /** Calls the Cloud API for one receipt; never fails: every way it ends is a {@link Result}. */
    public Uni<Result> send(GatewayConfig.Sender settings, Claimed receipt, Instant now) {
        return cloudApi.send(settings, body(mapper, receipt, now))
                .map(answer -> outcomes.answered(receipt, answer, now, ThreadLocalRandom.current()))
                .onFailure().recoverWithItem(failure -> outcomes.failed(receipt, failure, now, ThreadLocalRandom.current()));
    }

    static JsonNode body(ObjectMapper mapper, Claimed receipt, Instant now) {
        ObjectNode body = mapper.createObjectNode();
        body.put("messaging_product", "whatsapp");
        body.put("status", "read");
        body.put("message_id", receipt.wamid());
        if (receipt.typing() && receipt.requestedAt() != null && now.isBefore(receipt.requestedAt().plus(TYPING_LIFETIME))) {
            body.putObject("typing_indicator").put("type", "text");
        }
        return body;
    }

    /** Writes a batch's results and their events: one transaction. */
    public Uni<Void> record(List<Result> results, Instant now) {
        if (results.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> updates = new ArrayList<>(results.size());
        for (Result r : results) {
            updates.add(update(r, now));
        }
        return pool.withTransaction(tx -> tx.preparedQuery(RECORD).executeBatch(updates).chain(first -> {
            List<EventOutbox.NewEvent> events = new ArrayList<>();
            RowSet<Row> result = first;
            for (Result r : results) {
                if (result.rowCount() > 0) {
                    count(r);
                    if (!(r instanceof Result.Retry)) {
                        events.add(event(r, now));
                    }
                }
                result = result.next();
            }
            return outbox.appendAll(tx, events);
        }));
    }

    private static Tuple update(Result r, Instant now) {
        Tuple t = Tuple.tuple().addUUID(r.receipt().id());
        if (r instanceof Result.Sent) {
            return t.addString("sent").addOffsetDateTime(utc(now)).addInteger(1).addOffsetDateTime(null)
                    .addInteger(null).addString(null);
        }
        if (r instanceof Result.Retry retry) {
            return t.addString("pending").addOffsetDateTime(null).addInteger(retry.countAttempt() ? 1 : 0)
                    .addOffsetDateTime(utc(retry.at())).addInteger(retry.code()).addString(retry.title());
        }
        Result.Failed f = (Result.Failed) r;
        return t.addString("failed").addOffsetDateTime(null).addInteger(1).addOffsetDateTime(null)
                .addInteger(f.code()).addString(f.title());
    }

    private static EventOutbox.NewEvent event(Result r, Instant now) {
        Claimed c = r.receipt();
        JsonObject payload = new JsonObject()
                .put("messageId", c.id().toString())
                .put("wamid", c.wamid())
                .put("from", c.phone())
                .put("sender", c.sender())
                .put("typing", c.typing())
                .put("timestamp", now.toString());
        if (r instanceof Result.Failed f) {
            payload.put("readState", "failed")
                    .put("error", new JsonObject().put("code", f.code()).put("title", f.title()));
        } else {
            payload.put("readState", "sent").put("readAt", now.toString());
        }
        return new EventOutbox.NewEvent(EVENT, null, c.phone(), null, payload);
    }

    private void count(Result r) {
        if (r instanceof Result.Sent) {
            metrics.counter("wagateway_read_receipts_sent_total").increment();
        } else if (r instanceof Result.Failed f) {
            metrics.counter("wagateway_read_receipts_failed_total", "code", String.valueOf(f.code())).increment();
        } else if (r instanceof Result.Retry retry) {
            metrics.counter("wagateway_read_receipt_retries_total", "code", String.valueOf(retry.code())).increment();
        }
    }

    /** Whether the Cloud API refused the sender's token (190/0): the loop pauses the sender, as for sends. */
    static boolean authRefused(Result r) {
        return r instanceof Result.Retry retry && retry.code() != null
                && SendErrorClassifier.classify(retry.code(), 401) == SendErrorClassifier.Disposition.AUTH;
    }

    private static Claimed claimed(Row row) {
        OffsetDateTime requested = row.getOffsetDateTime("read_requested_at");
        return new Claimed(row.getUUID("id"), row.getString("wamid"), row.getString("from_phone"), row.getString("sender"),
                row.getBoolean("read_typing"), row.getInteger("read_attempts"),
                requested == null ? null : requested.toInstant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return OutboundQueue.utc(instant);
    }
}
