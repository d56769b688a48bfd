package wagateway.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.cloudapi.webhook.InboundMessage;
import wagateway.cloudapi.webhook.MetaJson;
import wagateway.config.GatewayConfig;
import wagateway.contact.ConsentChange;
import wagateway.contact.ConsentLedger;
import wagateway.contact.ContactStore;
import wagateway.contact.OptKeywordMatcher;
import wagateway.event.EventOutbox;
import wagateway.inbound.InboundMessages;
import wagateway.support.Ids;
import wagateway.support.PhoneNumbers;
import wagateway.wakeup.QueueSignal;

import static wagateway.support.JsonFields.putIfPresent;

/**
 * Applies one customer message of any type, inside the caller's transaction: stored once per wamid; then,
 * for a new one only, the contact learns it (identity, window: 24 h, or 72 h from a Click-to-WhatsApp
 * referral), an opt-out/opt-in keyword records consent (spec §3.1), and a {@code message.received} event goes
 * to the business.
 */
@ApplicationScoped
public class InboundMessageHandler {

    static final Duration WINDOW = Duration.ofHours(24);
    static final Duration FREE_ENTRY_POINT_WINDOW = Duration.ofHours(72);

    private final ContactStore contacts;
    private final ConsentLedger consent;
    private final EventOutbox outbox;
    private final WebhookMetrics metrics;
    private final OptKeywordMatcher keywords;
    private final Map<String, String> senderByPhoneNumberId = new HashMap<>();
    private final Clock clock;
    private final GatewayConfig.Inbound onArrival;
    private final InboundMessages inbound;
    private final QueueSignal signal;

    InboundMessageHandler(ContactStore contacts, ConsentLedger consent, EventOutbox outbox, WebhookMetrics metrics,
            GatewayConfig config, Clock clock, InboundMessages inbound, QueueSignal signal) {
        this.onArrival = config.inbound();
        this.inbound = inbound;
        this.signal = signal;
        this.contacts = contacts;
        this.consent = consent;
        this.outbox = outbox;
        this.metrics = metrics;
        this.clock = clock;
        this.keywords = new OptKeywordMatcher(config.optOut().keywords(),
                config.optIn().keywords().orElse(List.of()));
        config.senders().forEach((name, sender) -> senderByPhoneNumberId.put(sender.phoneNumberId(), name));
    }

    Uni<Void> apply(SqlClient tx, InboundMessage message) {
        if (message.wamid() == null) {
            Log.warnf("Inbound %s message without id: ignored", message.type());
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        Instant sentAt = message.timestamp() != null ? message.timestamp() : now;
        String phone = PhoneNumbers.fromWaId(message.from());
        String sender = senderByPhoneNumberId.get(message.phoneNumberId());
        var stored = new InboundMessages.NewInbound(message.wamid(), message.phoneNumberId(), sender, phone,
                message.fromUserId(), message.type(), new JsonObject(message.raw().toString()), message.contextWamid(),
                message.freeEntryPoint(), sentAt);
        return inbound.store(tx, Ids.next(), stored, now)
                .chain(id -> {
                    if (id == null) {
                        return Uni.createFrom().voidItem(); // a redelivery: applied the first time
                    }
                    metrics.inbound(message.type());
                    Uni<String> knownPhone = phone != null ? Uni.createFrom().item(phone)
                            : contacts.phoneOfUser(tx, message.fromUserId());
                    return knownPhone.chain(contactPhone -> learn(tx, message, contactPhone, sender, sentAt, now)
                            .chain(() -> notifyBusiness(tx, id, message, contactPhone, sender, sentAt)))
                            .call(() -> markReadOnArrival(tx, id, message, sender, now));
                });
    }

    /**
     * {@code gateway.inbound.mark-read-on-arrival}: the row is set pending in this transaction, and the
     * dispatcher is woken once it commits. No Cloud API call on the webhook path.
     */
    private Uni<Void> markReadOnArrival(SqlClient tx, UUID id, InboundMessage message, String sender, Instant now) {
        // a system notice (number changed...) is not the customer writing: nothing to mark read
        if (!onArrival.markReadOnArrival() || sender == null || "system".equals(message.type())) {
            return Uni.createFrom().voidItem();
        }
        return inbound.requestRead(tx, id, null, onArrival.typingOnArrival(), now).invoke(requested -> {
            if (requested != null) {
                wakeAfterCommit(tx);
            }
        }).replaceWithVoid();
    }

    /** Waking before the commit would let the dispatcher look too early; a missed wake still has the poll. */
    private void wakeAfterCommit(SqlClient tx) {
        Transaction transaction = tx instanceof SqlConnection connection ? connection.transaction() : null;
        if (transaction == null) {
            signal.accepted();
            return;
        }
        transaction.completion().subscribe().with(committed -> signal.accepted(), rolledBack -> {
        });
    }

    /** Identity, window and keyword consent; nothing to key them on when the phone is unknown (2026 usernames). */
    private Uni<Void> learn(SqlClient tx, InboundMessage message, String phone, String sender, Instant sentAt,
            Instant now) {
        if (phone == null) {
            Log.debugf("Inbound %s from an unknown phone number: contact not updated", message.type());
            return Uni.createFrom().voidItem();
        }
        // A system notice (number changed...) is not the customer writing: it opens no window.
        Instant openUntil = "system".equals(message.type()) ? null
                : sentAt.plus(message.freeEntryPoint() ? FREE_ENTRY_POINT_WINDOW : WINDOW);
        return contacts.recordInbound(tx, phone, sender, message.fromUserId(), message.profileName(), sentAt,
                openUntil, message.freeEntryPoint(), now)
                .chain(() -> keywords.match(keywordText(message))
                        .map(intent -> recordKeyword(tx, message, phone, intent, now))
                        .orElseGet(() -> Uni.createFrom().voidItem()));
    }

    private Uni<Void> recordKeyword(SqlClient tx, InboundMessage message, String phone, OptKeywordMatcher.Intent intent,
            Instant now) {
        String status = intent == OptKeywordMatcher.Intent.OPT_OUT ? ConsentChange.OPTED_OUT : ConsentChange.OPTED_IN;
        Log.infof("Keyword %s from %s", intent, PhoneNumbers.mask(phone));
        return consent.record(tx, ConsentChange.fromWhatsApp(phone, status, ConsentChange.SCOPE_ALL, "keyword",
                message.wamid(), now, message.fromUserId())).replaceWithVoid();
    }

    /**
     * The event goes to the callback URL of the message the customer replied to, when it has one, else to the
     * global one; it carries that message's metadata.
     */
    private Uni<Void> notifyBusiness(SqlClient tx, UUID id, InboundMessage message, String phone, String sender,
            Instant sentAt) {
        // our id, for POST /v1/messages/{id}/read ("id" itself is the event's id in the delivered envelope)
        JsonObject event = new JsonObject()
                .put("messageId", id.toString())
                .put("wamid", message.wamid())
                .put("from", phone)
                .put("userId", message.fromUserId())
                .put("profileName", message.profileName())
                .put("sender", sender)
                .put("phoneNumberId", message.phoneNumberId())
                .put("messageType", message.type())
                .put("content", MetaJson.vertx(message.content()))
                .put("timestamp", sentAt.toString());
        putIfPresent(event, "context", MetaJson.vertx(message.context()));
        putIfPresent(event, "referral", MetaJson.vertx(message.referral()));
        putIfPresent(event, "errors", MetaJson.vertx(message.raw().get("errors")));
        if (message.contextWamid() == null) {
            return outbox.append(tx, EventOutbox.MESSAGE_RECEIVED, null, phone, null, event);
        }
        return tx.preparedQuery("select id, callback_url, metadata from outbound_message where wamid = $1")
                .execute(Tuple.of(message.contextWamid()))
                .chain(rows -> {
                    String callbackUrl = null;
                    if (rows.iterator().hasNext()) {
                        var replied = rows.iterator().next();
                        callbackUrl = replied.getString("callback_url");
                        event.put("inReplyTo", new JsonObject().put("messageId", replied.getUUID("id").toString()));
                        putIfPresent(event, "metadata", replied.getValue("metadata"));
                    }
                    return outbox.append(tx, EventOutbox.MESSAGE_RECEIVED, null, phone, callbackUrl, event);
                });
    }

    /** What a keyword is read from: typed text, or the text of a tapped button. */
    private static String keywordText(InboundMessage message) {
        var content = message.content();
        return switch (message.type()) {
            case "text" -> MetaJson.text(content, "body");
            case "button" -> MetaJson.text(content, "text");
            case "interactive" -> {
                var reply = content == null ? null
                        : content.has("button_reply") ? content.get("button_reply") : content.get("list_reply");
                yield MetaJson.text(reply, "title");
            }
            default -> null;
        };
    }
}
