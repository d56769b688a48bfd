package wagateway.webhook;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.config.GatewayConfig;
import wagateway.contact.ConsentChange;
import wagateway.contact.ConsentLedger;
import wagateway.contact.ContactStore;
import wagateway.dispatch.QueueSignal;
import wagateway.event.EventOutbox;
import wagateway.message.MessageStatus;
import wagateway.support.Ids;
import wagateway.support.PhoneNumbers;
import wagateway.webhook.api.MetaJson;
import wagateway.webhook.api.StatusUpdate;
import wagateway.webhook.api.WebhookError;

import static wagateway.webhook.JsonFields.putIfPresent;

/**
 * Applies one Meta status to one of our messages, inside the caller's transaction: once per (message,
 * status) in the timeline, status moved forward only ({@link MessageStatus#canAdvanceTo}), a
 * {@code message.status} event when it moved, and the consequences of a failure code (131047 closes the
 * window, 131050 records a marketing opt-out).
 */
@ApplicationScoped
public class MessageStatusRecorder {

    /** Statuses Meta sends for our messages; anything else is kept in the timeline only. */
    static final Set<MessageStatus> META_STATUSES = Set.of(MessageStatus.SENT, MessageStatus.DELIVERED,
            MessageStatus.READ, MessageStatus.PLAYED, MessageStatus.FAILED);
    static final int REENGAGEMENT = 131047;
    static final int MARKETING_STOPPED = 131050;

    private static final String TIMELINE = """
            insert into message_event (message_id, status, source, occurred_at, recorded_at, error_code, error_title,
                error_detail, details)
            values ($1, $2, 'webhook', $3, $4, $5, $6, $7, $8)
            on conflict (message_id, status) where source = 'webhook' do nothing
            returning id""";

    private static final String MOVE = """
            update outbound_message set status = $2, updated_at = $3, error_code = coalesce($4, error_code),
                error_title = coalesce($5, error_title), error_detail = coalesce($6, error_detail)
            where id = $1""";

    /**
     * The fallback template of a message Meta failed with 131047 after accepting it, as a new queued message
     * standing in for it ({@code fallback_of}); at most one per message (unique index).
     */
    private static final String QUEUE_FALLBACK = """
            insert into outbound_message (id, api_key_id, sender, recipient, type, category, priority, content,
                callback_url, metadata, status, expires_at, next_attempt_at, created_at, updated_at, fallback_of)
            select $2, api_key_id, sender, recipient, 'template', coalesce($3, category), priority, fallback_template,
                callback_url, metadata, 'queued', expires_at, $4, $4, $4, id
            from outbound_message where id = $1 and fallback_template is not null and not sent_template
            on conflict (fallback_of) where fallback_of is not null do nothing
            returning id, metadata""";

    private final EventOutbox outbox;
    private final ContactStore contacts;
    private final ConsentLedger consent;
    private final WebhookMetrics metrics;
    private final Clock clock;
    private final GatewayConfig config;
    private final QueueSignal signal;

    MessageStatusRecorder(EventOutbox outbox, ContactStore contacts, ConsentLedger consent, WebhookMetrics metrics,
            Clock clock, GatewayConfig config, QueueSignal signal) {
        this.outbox = outbox;
        this.contacts = contacts;
        this.consent = consent;
        this.metrics = metrics;
        this.clock = clock;
        this.config = config;
        this.signal = signal;
    }

    /** The message with this wamid, locked for the transaction; null when unknown. */
    Uni<OutboundMessageRef> lockByWamid(SqlClient tx, String wamid) {
        return wamid == null ? Uni.createFrom().nullItem()
                : lock(tx, "select " + OutboundMessageRef.COLUMNS + " from outbound_message where wamid = $1 for update",
                        wamid);
    }

    /** The message with this id, locked for the transaction; null when unknown. */
    Uni<OutboundMessageRef> lockById(SqlClient tx, UUID id) {
        return lock(tx, "select " + OutboundMessageRef.COLUMNS + " from outbound_message where id = $1 for update", id);
    }

    private Uni<OutboundMessageRef> lock(SqlClient tx, String sql, Object key) {
        return tx.preparedQuery(sql).execute(Tuple.of(key))
                .map(rows -> rows.iterator().hasNext() ? OutboundMessageRef.of(rows.iterator().next()) : null);
    }

    /**
     * @return the message as it is afterwards (its status moved or not)
     */
    Uni<OutboundMessageRef> apply(SqlClient tx, OutboundMessageRef message, StatusUpdate update) {
        Instant now = clock.instant();
        Instant occurredAt = update.timestamp() != null ? update.timestamp() : now;
        WebhookError error = update.error();
        return tx.preparedQuery(TIMELINE).execute(Tuple.tuple().addUUID(message.id()).addString(update.status())
                .addOffsetDateTime(occurredAt.atOffset(ZoneOffset.UTC)).addOffsetDateTime(now.atOffset(ZoneOffset.UTC))
                .addInteger(error == null ? null : error.code()).addString(error == null ? null : error.title())
                .addString(error == null ? null : error.detail()).addValue(details(update)))
                .chain(inserted -> {
                    if (inserted.rowCount() == 0) {
                        metrics.status(update.status(), "duplicate");
                        return Uni.createFrom().item(message);
                    }
                    metrics.status(update.status(), "applied");
                    return move(tx, message, update, occurredAt, now)
                            .call(() -> consequences(tx, message, update, occurredAt, now));
                });
    }

    private Uni<OutboundMessageRef> move(SqlClient tx, OutboundMessageRef message, StatusUpdate update,
            Instant occurredAt, Instant now) {
        MessageStatus next = MessageStatus.parse(update.status()).filter(META_STATUSES::contains).orElse(null);
        MessageStatus current = MessageStatus.parse(message.status()).orElse(null);
        if (next == null || current == null || !current.canAdvanceTo(next)) {
            // Kept in the timeline above; a late or unknown status changes nothing else.
            return Uni.createFrom().item(message);
        }
        boolean failed = next == MessageStatus.FAILED;
        WebhookError error = failed ? update.error() : null;
        Log.debugf("Message %s: %s -> %s (webhook)", message.id(), message.status(), next.value());
        return tx.preparedQuery(MOVE).execute(Tuple.tuple().addUUID(message.id()).addString(next.value())
                .addOffsetDateTime(now.atOffset(ZoneOffset.UTC)).addInteger(error == null ? null : error.code())
                .addString(error == null ? null : error.title()).addString(error == null ? null : error.detail()))
                .chain(() -> outbox.append(tx, EventOutbox.MESSAGE_STATUS, message.id(), message.recipient(),
                        message.callbackUrl(), statusEvent(message, update, next, error, occurredAt)))
                .replaceWith(message.withStatus(next.value()));
    }

    Uni<Void> consequences(SqlClient tx, OutboundMessageRef message, StatusUpdate update, Instant occurredAt,
            Instant now) {
        WebhookError error = update.error();
        if (!"failed".equals(update.status()) || error == null || error.code() == null || message.recipient() == null) {
            return Uni.createFrom().voidItem();
        }
        if (error.code() == REENGAGEMENT) {
            Log.infof("131047 for %s: window closed in our records", PhoneNumbers.mask(message.recipient()));
            Uni<Void> closed = contacts.closeWindow(tx, message.recipient(), message.sender(), occurredAt, now);
            return message.fallbackUnused() ? closed.chain(() -> queueFallback(tx, message, now)) : closed;
        }
        if (error.code() == MARKETING_STOPPED) {
            return consent.record(tx, ConsentChange.fromWhatsApp(message.recipient(), ConsentChange.OPTED_OUT,
                    ConsentChange.SCOPE_MARKETING, "cloud_api_131050", update.wamid(), now, null)).replaceWithVoid();
        }
        return Uni.createFrom().voidItem();
    }

    /**
     * Rule 2 when Meta says "window closed" only after accepting the message (an asynchronous 131047): the
     * fallback template goes, as it would have had our records known. It is a new message (its own id, wamid
     * and timeline, {@code fallbackFor} in its events) because the failed one's history only moves forward.
     * The dispatcher re-checks consent for it like for any business-initiated template.
     */
    private Uni<Void> queueFallback(SqlClient tx, OutboundMessageRef message, Instant now) {
        return tx.preparedQuery("select fallback_template -> 'template' ->> 'name' as name from outbound_message where id = $1")
                .execute(Tuple.of(message.id()))
                .chain(rows -> {
                    String name = rows.iterator().hasNext() ? rows.iterator().next().getString("name") : null;
                    String category = name == null ? null
                            : java.util.Optional.ofNullable(config.templates().get(name)).map(GatewayConfig.Template::category)
                                    .orElse(null);
                    UUID id = Ids.next();
                    return tx.preparedQuery(QUEUE_FALLBACK).execute(Tuple.tuple().addUUID(message.id()).addUUID(id)
                            .addString(category).addOffsetDateTime(now.atOffset(ZoneOffset.UTC)));
                })
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Uni.createFrom().voidItem(); // sent already, or queued by an earlier delivery
                    }
                    var row = rows.iterator().next();
                    UUID id = row.getUUID("id");
                    JsonObject event = new JsonObject().put("messageId", id.toString()).put("to", message.recipient())
                            .put("status", MessageStatus.QUEUED.value()).put("fallbackFor", message.id().toString())
                            .put("timestamp", now.toString());
                    if (row.getValue("metadata") instanceof JsonObject metadata) {
                        event.put("metadata", metadata);
                    }
                    Log.infof("131047 after acceptance: fallback template queued as %s for %s", id, message.id());
                    signal.accepted();
                    return outbox.append(tx, EventOutbox.MESSAGE_STATUS, id, message.recipient(), message.callbackUrl(), event);
                });
    }

    static JsonObject statusEvent(OutboundMessageRef message, StatusUpdate update, MessageStatus status,
            WebhookError error, Instant occurredAt) {
        JsonObject event = new JsonObject()
                .put("messageId", message.id().toString())
                .put("wamid", update.wamid() != null ? update.wamid() : message.wamid())
                .put("to", message.recipient())
                .put("status", status.value())
                .put("timestamp", occurredAt.toString());
        if (error != null) {
            event.put("error", new JsonObject().put("code", error.code()).put("title", error.title())
                    .put("detail", error.detail()));
            if (error.code() != null && error.code() == REENGAGEMENT && message.fallbackUnused()) {
                // its fallback template is queued (queueFallback): WhatsApp still reaches the customer
                event.put("fallbackTemplateQueued", true);
            } else if (wagateway.dispatch.SendErrorClassifier.fallbackSuggested(error.code())) {
                event.put("fallbackSuggested", true);
            }
        }
        putIfPresent(event, "recipientUserId", update.recipientUserId());
        putIfPresent(event, "pricing", MetaJson.vertx(update.pricing()));
        putIfPresent(event, "conversation", MetaJson.vertx(update.conversation()));
        putIfPresent(event, "metadata", message.metadata());
        return event;
    }

    /** Pricing, conversation and the ids Meta echoed: kept in the timeline entry. */
    static JsonObject details(StatusUpdate update) {
        JsonObject details = new JsonObject();
        putIfPresent(details, "pricing", MetaJson.vertx(update.pricing()));
        putIfPresent(details, "conversation", MetaJson.vertx(update.conversation()));
        putIfPresent(details, "recipientUserId", update.recipientUserId());
        putIfPresent(details, "bizOpaqueCallbackData", update.bizOpaqueCallbackData());
        if (update.errors().size() > 1) {
            details.put("errors", MetaJson.vertx(update.raw().get("errors")));
        }
        return details.isEmpty() ? null : details;
    }
}
