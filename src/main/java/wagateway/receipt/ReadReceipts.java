package wagateway.receipt;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import wagateway.cloudapi.CloudApiClient;
import wagateway.cloudapi.ErrorClassifier;
import wagateway.cloudapi.RetryPolicy;
import wagateway.cloudapi.RetryPolicy.Verdict;
import wagateway.cloudapi.SendOutcome;
import wagateway.config.GatewayConfig;
import wagateway.event.EventOutbox;
import wagateway.inbound.InboundMessages;
import wagateway.inbound.InboundMessages.DueReceipt;
import wagateway.inbound.InboundMessages.ReceiptResult;

/**
 * The read receipts a sender owes, as its dispatcher loop sees them: claim the due ones, send each through
 * {@link CloudApiClient} (the same timeout and circuit breaker as messages; the loop spends a rate-limiter permit
 * on each), and record a batch's results in one transaction with a {@code message.read_receipt} event for each
 * receipt that was sent or failed. What a failed call means follows the messages' {@link RetryPolicy}: transient
 * → retry with back-off while attempts remain; 190/0 → kept, uncounted, behind the sender's pause; anything else
 * → failed with the code (an unknown or foreign wamid: asking again gets the same answer).
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

    /** How one read receipt left the dispatcher's hands. */
    public record Result(DueReceipt receipt, ReceiptResult row) {

        /** Whether the Cloud API refused the sender's token (190/0): the loop pauses the sender, as for sends. */
        public boolean authRefused() {
            return "pending".equals(row.state()) && ErrorClassifier.authRefused(row.errorCode());
        }
    }

    private final Pool pool;
    private final InboundMessages inbound;
    private final CloudApiClient cloudApi;
    private final EventOutbox outbox;
    private final ObjectMapper mapper;
    private final MeterRegistry metrics;
    private final GatewayConfig config;
    private final RetryPolicy retries;

    ReadReceipts(Pool pool, InboundMessages inbound, CloudApiClient cloudApi, EventOutbox outbox, ObjectMapper mapper,
            MeterRegistry metrics, GatewayConfig config, RetryPolicy retries) {
        this.pool = pool;
        this.inbound = inbound;
        this.cloudApi = cloudApi;
        this.outbox = outbox;
        this.mapper = mapper;
        this.metrics = metrics;
        this.config = config;
        this.retries = retries;
    }

    /** Takes up to {@code limit} due read receipts of one sender, oldest request first. */
    public Uni<List<DueReceipt>> claim(String sender, int limit, Instant now) {
        return inbound.claimReceipts(sender, limit, now, config.dispatch().lease());
    }

    /** Calls the Cloud API for one receipt; never fails: every way it ends is a {@link Result}. */
    public Uni<Result> send(GatewayConfig.Sender settings, DueReceipt receipt, Instant now) {
        return cloudApi.send(settings, body(mapper, receipt, now))
                .map(answer -> answered(retries, receipt, answer, now, ThreadLocalRandom.current()))
                .onFailure().recoverWithItem(failure -> failed(retries, receipt, failure, now, ThreadLocalRandom.current()));
    }

    /** What the Cloud API's answer means for the receipt. Pure. */
    static Result answered(RetryPolicy retries, DueReceipt receipt, SendOutcome answer, Instant now,
            RandomGenerator random) {
        if (answer instanceof SendOutcome.Accepted) {
            return new Result(receipt, new ReceiptResult(receipt.id(), "sent", true, null, null, null));
        }
        // a pair-rate answer is a plain transient one here: a read receipt has no pair interval of its own
        return result(receipt, retries.refused((SendOutcome.Refused) answer, receipt.attempts(), null, Duration.ZERO,
                now, random));
    }

    /** What a call that failed without an answer means for the receipt. Pure. */
    static Result failed(RetryPolicy retries, DueReceipt receipt, Throwable failure, Instant now,
            RandomGenerator random) {
        // a read receipt sent twice is harmless at Meta: no wait for an unknown outcome
        return result(receipt, retries.failed(failure, receipt.attempts(), null, Duration.ZERO, now, random));
    }

    private static Result result(DueReceipt receipt, Verdict verdict) {
        if (verdict instanceof Verdict.Retry retry) {
            return new Result(receipt, new ReceiptResult(receipt.id(), "pending", retry.countAttempt(), retry.at(),
                    retry.code(), retry.title()));
        }
        // a read receipt has no deadline of its own: the attempts bound it
        return new Result(receipt, new ReceiptResult(receipt.id(), "failed", true, null, verdict.code(),
                verdict.title()));
    }

    static JsonNode body(ObjectMapper mapper, DueReceipt receipt, Instant now) {
        ObjectNode body = mapper.createObjectNode();
        body.put("messaging_product", "whatsapp");
        body.put("status", "read");
        body.put("message_id", receipt.wamid());
        if (receipt.typing() && receipt.requestedAt() != null
                && now.isBefore(receipt.requestedAt().plus(TYPING_LIFETIME))) {
            body.putObject("typing_indicator").put("type", "text");
        }
        return body;
    }

    /** Writes a batch's results and their events: one transaction. */
    public Uni<Void> record(List<Result> results, Instant now) {
        if (results.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(tx -> inbound
                .recordReceipts(tx, results.stream().map(Result::row).toList(), now).chain(changed -> {
                    List<EventOutbox.NewEvent> events = new ArrayList<>();
                    for (int i = 0; i < changed.length; i++) {
                        Result r = results.get(i);
                        if (changed[i]) {
                            count(r);
                            if (!"pending".equals(r.row().state())) {
                                events.add(event(r, now));
                            }
                        }
                    }
                    return outbox.appendAll(tx, events);
                }));
    }

    private static EventOutbox.NewEvent event(Result r, Instant now) {
        DueReceipt c = r.receipt();
        JsonObject payload = new JsonObject()
                .put("messageId", c.id().toString())
                .put("wamid", c.wamid())
                .put("from", c.phone())
                .put("sender", c.sender())
                .put("typing", c.typing())
                .put("timestamp", now.toString());
        if ("failed".equals(r.row().state())) {
            payload.put("readState", "failed")
                    .put("error", new JsonObject().put("code", r.row().errorCode()).put("title", r.row().errorTitle()));
        } else {
            payload.put("readState", "sent").put("readAt", now.toString());
        }
        return new EventOutbox.NewEvent(EVENT, null, c.phone(), null, payload);
    }

    private void count(Result r) {
        String state = r.row().state();
        String code = String.valueOf(r.row().errorCode());
        if ("sent".equals(state)) {
            metrics.counter("wagateway_read_receipts_sent_total").increment();
        } else if ("failed".equals(state)) {
            metrics.counter("wagateway_read_receipts_failed_total", "code", code).increment();
        } else {
            metrics.counter("wagateway_read_receipt_retries_total", "code", code).increment();
        }
    }
}
