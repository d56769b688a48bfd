package wagateway.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.cloudapi.webhook.InboundMessage;
import wagateway.cloudapi.webhook.MetaJson;
import wagateway.config.GatewayConfig;
import wagateway.contact.ConsentChange;
import wagateway.contact.ConsentLedger;
import wagateway.contact.ContactResolver;
import wagateway.contact.ContactStore;
import wagateway.contact.OptKeywordMatcher;
import wagateway.event.EventOutbox;
import wagateway.inbound.InboundMessages;
import wagateway.support.Ids;
import wagateway.support.PhoneNumbers;
import wagateway.wakeup.QueueSignal;

import static wagateway.support.JsonFields.putIfPresent;

/**
 * Applies customer messages of any type, inside the caller's transaction, with a fixed number of set-based
 * statements whatever their number (they come in Meta's order, from one or many webhooks): each is stored once per
 * wamid ({@link InboundMessages#storeAll}); then, for the new ones only, their contacts learn them (identity,
 * window: 24 h, or 72 h from a Click-to-WhatsApp referral; {@link ContactStore#recordInbound}), opt-out/opt-in
 * keywords record consent in order (spec §3.1; {@link ConsentLedger#recordAll}), a {@code message.received} event
 * per message goes to the business in Meta's order ({@link EventOutbox#appendAll}), and mark-read-on-arrival asks
 * for their read receipts. The result is that of applying them one after the other.
 */
@ApplicationScoped
public class InboundMessageHandler {

    static final Duration WINDOW = Duration.ofHours(24);
    static final Duration FREE_ENTRY_POINT_WINDOW = Duration.ofHours(72);

    private static final String REPLIED_TO = "select id, wamid, callback_url, metadata from outbound_message "
            + "where wamid = any($1)";

    private final ContactStore contacts;
    private final ContactResolver resolver;
    private final ConsentLedger consent;
    private final EventOutbox outbox;
    private final WebhookMetrics metrics;
    private final OptKeywordMatcher keywords;
    private final Map<String, String> senderByPhoneNumberId = new HashMap<>();
    private final Clock clock;
    private final GatewayConfig.Inbound onArrival;
    private final InboundMessages inbound;
    private final QueueSignal signal;
    private final ContactRows contactRows;

    InboundMessageHandler(ContactStore contacts, ContactResolver resolver, ConsentLedger consent, EventOutbox outbox,
            WebhookMetrics metrics, GatewayConfig config, Clock clock, InboundMessages inbound, QueueSignal signal,
            ContactRows contactRows) {
        this.contactRows = contactRows;
        this.resolver = resolver;
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

    /** One message as it arrived: our id, should it be new, and what it says about its customer. */
    private record Arrival(InboundMessage message, UUID id, Instant sentAt, String phone, String sender) {

        boolean system() {
            // a system notice (number changed...) is not the customer writing
            return "system".equals(message.type());
        }
    }

    /** Applies {@code messages}, in the order Meta sent them, inside {@code tx}. */
    Uni<Void> apply(SqlClient tx, List<InboundMessage> messages) {
        Instant now = clock.instant();
        List<Arrival> arrivals = new ArrayList<>(messages.size());
        Set<String> wamids = new HashSet<>();
        for (InboundMessage message : messages) {
            if (message.wamid() == null) {
                Log.warnf("Inbound %s message without id: ignored", message.type());
                continue;
            }
            if (!wamids.add(message.wamid())) {
                continue; // twice in this batch: the second is a redelivery of the first
            }
            arrivals.add(new Arrival(message, Ids.next(), message.timestamp() != null ? message.timestamp() : now,
                    PhoneNumbers.fromWaId(message.from()), senderByPhoneNumberId.get(message.phoneNumberId())));
        }
        if (arrivals.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<InboundMessages.NewInbound> stored = new ArrayList<>(arrivals.size());
        for (Arrival a : arrivals) {
            InboundMessage m = a.message();
            stored.add(new InboundMessages.NewInbound(a.id(), m.wamid(), m.phoneNumberId(), a.sender(), a.phone(),
                    m.fromUserId(), m.type(), m.raw().toString(), m.contextWamid(), m.freeEntryPoint(), a.sentAt()));
        }
        return inbound.storeAll(tx, stored, now).chain(newIds -> {
            // a redelivery was applied the first time: nothing more
            List<Arrival> fresh = arrivals.stream().filter(a -> newIds.contains(a.id())).toList();
            if (fresh.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            fresh.forEach(a -> metrics.inbound(a.message().type()));
            List<ContactResolver.Customer> customers = fresh.stream().map(InboundMessageHandler::customer).toList();
            return resolver.resolveAll(tx, customers, now)
                    .chain(resolved -> assignContacts(tx, fresh, resolved)
                            .chain(() -> contactRows.follow(tx, customers, resolved))
                            .chain(() -> learn(tx, fresh, resolved, now))
                            .chain(() -> notifyBusiness(tx, fresh, resolved))
                            .chain(() -> markReadOnArrival(tx, fresh, now)));
        });
    }

    /**
     * The customer a message names: its phone ({@code from}, empty for a username-only customer), its
     * business-scoped user id and username; a {@code user_changed_number} / {@code user_changed_user_id} notice
     * also says what they move to.
     */
    private static ContactResolver.Customer customer(Arrival a) {
        InboundMessage m = a.message();
        return new ContactResolver.Customer(a.phone(), m.fromUserId(), m.username(), PhoneNumbers.fromWaId(m.newWaId()),
                m.newUserId());
    }

    /** The new messages' contacts; the rows of merged contacts follow in {@link ContactRows}. */
    private Uni<Void> assignContacts(SqlClient tx, List<Arrival> fresh, List<ContactResolver.Resolved> resolved) {
        List<UUID> ids = new ArrayList<>();
        List<String> contactIds = new ArrayList<>();
        for (int i = 0; i < fresh.size(); i++) {
            ContactResolver.Resolved contact = resolved.get(i);
            if (contact != null) {
                ids.add(fresh.get(i).id());
                contactIds.add(contact.id());
            }
        }
        return inbound.assignContacts(tx, ids, contactIds);
    }

    /**
     * Windows and keyword consent of the new messages, on the contact of each ({@code resolved}): a username-only
     * customer (no phone, a business-scoped user id) opens a window and opts out like any other. Nothing to key a
     * message on that names no customer at all.
     */
    private Uni<Void> learn(SqlClient tx, List<Arrival> fresh, List<ContactResolver.Resolved> resolved, Instant now) {
        List<ContactStore.Inbound> learned = new ArrayList<>(fresh.size());
        List<ConsentChange> changes = new ArrayList<>();
        for (int i = 0; i < fresh.size(); i++) {
            Arrival a = fresh.get(i);
            InboundMessage message = a.message();
            ContactResolver.Resolved contact = resolved.get(i);
            if (contact == null) {
                Log.debugf("Inbound %s naming no customer: contact not updated", message.type());
                continue;
            }
            // A system notice opens no window.
            Instant openUntil = a.system() ? null
                    : a.sentAt().plus(message.freeEntryPoint() ? FREE_ENTRY_POINT_WINDOW : WINDOW);
            learned.add(new ContactStore.Inbound(contact.id(), a.sender(), message.profileName(), a.sentAt(), openUntil,
                    message.freeEntryPoint()));
            keywords.match(keywordText(message)).ifPresent(intent -> {
                Log.infof("Keyword %s from contact %s", intent, contact.id());
                String status = intent == OptKeywordMatcher.Intent.OPT_OUT ? ConsentChange.OPTED_OUT
                        : ConsentChange.OPTED_IN;
                // stamped with Meta's time of the message: consent follows when the customer said it
                changes.add(ConsentChange.fromWhatsApp(contact.id(), status, ConsentChange.SCOPE_ALL, "keyword",
                        message.wamid(), a.sentAt()));
            });
        }
        return contacts.recordInbound(tx, learned, now).chain(() -> changes.isEmpty() ? Uni.createFrom().voidItem()
                : consent.recordAll(tx, changes).replaceWithVoid());
    }

    /**
     * One event per new message, in Meta's order (the events of one customer are delivered in outbox order). It
     * goes to the callback URL of the message the customer replied to, when it has one, else to the global one,
     * and carries that message's metadata: one query finds every message replied to.
     */
    private Uni<Void> notifyBusiness(SqlClient tx, List<Arrival> fresh, List<ContactResolver.Resolved> resolved) {
        Set<String> repliedTo = new LinkedHashSet<>();
        fresh.forEach(a -> {
            if (a.message().contextWamid() != null) {
                repliedTo.add(a.message().contextWamid());
            }
        });
        Uni<Map<String, Row>> replied = repliedTo.isEmpty() ? Uni.createFrom().item(Map.of())
                : tx.preparedQuery(REPLIED_TO).execute(Tuple.tuple().addArrayOfString(repliedTo.toArray(String[]::new)))
                        .map(rows -> {
                            Map<String, Row> byWamid = new HashMap<>();
                            rows.forEach(row -> byWamid.put(row.getString("wamid"), row));
                            return byWamid;
                        });
        return replied.chain(byWamid -> {
            List<EventOutbox.NewEvent> events = new ArrayList<>(fresh.size());
            for (int i = 0; i < fresh.size(); i++) {
                Arrival a = fresh.get(i);
                ContactResolver.Resolved contact = resolved.get(i);
                JsonObject event = received(a, contact);
                Row original = a.message().contextWamid() == null ? null : byWamid.get(a.message().contextWamid());
                String callbackUrl = null;
                if (original != null) {
                    callbackUrl = original.getString("callback_url");
                    event.put("inReplyTo", new JsonObject().put("messageId", original.getUUID("id").toString()));
                    putIfPresent(event, "metadata", original.getValue("metadata"));
                }
                // per-contact order of callbacks: keyed by the contact's phone, else its user id
                String key = contact != null ? contact.key() : a.message().fromUserId();
                events.add(new EventOutbox.NewEvent(EventOutbox.MESSAGE_RECEIVED, null, key,
                        contact == null ? null : contact.id(), callbackUrl, event));
            }
            return outbox.appendAll(tx, events);
        });
    }

    /**
     * The body of a {@code message.received} event: {@code from} is the customer's phone, null for a username-only
     * customer, who is told by {@code userId} (and shown by {@code username}); {@code contactId} is the person
     * either way.
     */
    private static JsonObject received(Arrival a, ContactResolver.Resolved contact) {
        InboundMessage message = a.message();
        String phone = contact != null ? contact.phone() : a.phone();
        // our id, for POST /v1/messages/{id}/read ("id" itself is the event's id in the delivered envelope)
        JsonObject event = new JsonObject()
                .put("messageId", a.id().toString())
                .put("wamid", message.wamid())
                .put("from", phone)
                .put("userId", message.fromUserId())
                .put("username", contact != null ? contact.username() : message.username())
                .put("contactId", contact == null ? null : contact.id())
                .put("profileName", message.profileName())
                .put("sender", a.sender())
                .put("phoneNumberId", message.phoneNumberId())
                .put("messageType", message.type())
                .put("content", MetaJson.vertx(message.content()))
                .put("timestamp", a.sentAt().toString());
        putIfPresent(event, "context", MetaJson.vertx(message.context()));
        putIfPresent(event, "referral", MetaJson.vertx(message.referral()));
        putIfPresent(event, "errors", MetaJson.vertx(message.raw().get("errors")));
        return event;
    }

    /**
     * {@code gateway.inbound.mark-read-on-arrival}: the rows are set pending in this transaction, and the
     * dispatcher is woken once it commits. No Cloud API call on the webhook path. A system notice is not the
     * customer writing: nothing to mark read.
     */
    private Uni<Void> markReadOnArrival(SqlClient tx, List<Arrival> fresh, Instant now) {
        if (!onArrival.markReadOnArrival()) {
            return Uni.createFrom().voidItem();
        }
        List<UUID> ids = fresh.stream().filter(a -> a.sender() != null && !a.system()).map(Arrival::id).toList();
        return inbound.requestReadAll(tx, ids, onArrival.typingOnArrival(), now).invoke(requested -> {
            if (requested > 0) {
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
