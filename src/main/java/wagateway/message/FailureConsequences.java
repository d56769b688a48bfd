package wagateway.message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.contact.ConsentChange;
import wagateway.contact.ConsentLedger;
import wagateway.contact.ContactResolver;
import wagateway.contact.ContactStore;
import wagateway.support.Ids;
import wagateway.support.PhoneNumbers;
import wagateway.support.Times;
import wagateway.template.TemplateCatalog;
import wagateway.wakeup.QueueSignal;

import static wagateway.cloudapi.MetaErrorCodes.MARKETING_STOPPED;
import static wagateway.cloudapi.MetaErrorCodes.REENGAGEMENT;

/**
 * What a failure code teaches us about the customer, whether the Cloud API answered it at once or a status
 * webhook reported it later — one place for both (spec §3 rules 1–2):
 * <ul>
 * <li>131047: the customer-service window with that business number is closed, whatever our records said; a
 * message Meta failed after accepting it has its fallback template queued as a new message (once);</li>
 * <li>131050: the customer stopped marketing messages — a marketing-only opt-out in the consent trail.</li>
 * </ul>
 * Written inside the caller's transaction; contacts are taken in phone order, so two transactions touching
 * the same customers wait for each other instead of deadlocking.
 */
@ApplicationScoped
public class FailureConsequences {

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
            returning id, sender, metadata""";

    /**
     * A failure of one of our messages.
     *
     * @param evidence what shows it, kept in the consent trail (the message id or the wamid)
     * @param occurredAt when Meta says it happened
     * @param queueFallback the message's fallback template is to go as a new message (a 131047 Meta reported
     *        after accepting it)
     */
    public record Failure(UUID messageId, String recipient, String sender, String callbackUrl, Integer code,
            String evidence, Instant occurredAt, boolean queueFallback) {
    }

    private final ContactStore contacts;
    private final ContactResolver resolver;
    private final ConsentLedger consent;
    private final MessageTimeline timeline;
    private final TemplateCatalog templates;
    private final QueueSignal signal;

    FailureConsequences(ContactStore contacts, ContactResolver resolver, ConsentLedger consent, MessageTimeline timeline,
            TemplateCatalog templates, QueueSignal signal) {
        this.contacts = contacts;
        this.resolver = resolver;
        this.consent = consent;
        this.timeline = timeline;
        this.templates = templates;
        this.signal = signal;
    }

    /** Whether {@code code} has consequences here. */
    static boolean matters(Integer code) {
        return code != null && (code == REENGAGEMENT || code == MARKETING_STOPPED);
    }

    Uni<Void> apply(SqlClient tx, List<Failure> failures, Instant now) {
        List<Failure> byPhone = new ArrayList<>(failures);
        byPhone.removeIf(f -> !matters(f.code()) || f.recipient() == null);
        byPhone.sort(Comparator.comparing(Failure::recipient));
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Failure failure : byPhone) {
            chain = chain.chain(() -> apply(tx, failure, now));
        }
        return chain;
    }

    private Uni<Void> apply(SqlClient tx, Failure failure, Instant now) {
        if (failure.code() == REENGAGEMENT) {
            Log.infof("131047 for %s: window closed in our records", PhoneNumbers.mask(failure.recipient()));
            Uni<Void> closed = contacts.closeWindow(tx, failure.recipient(), failure.sender(), failure.occurredAt(),
                    now);
            return failure.queueFallback() ? closed.chain(() -> queueFallback(tx, failure, now)) : closed;
        }
        return resolver.resolve(tx, recipient(failure.recipient()), now).chain(contact -> consent.record(tx,
                ConsentChange.fromWhatsApp(contact.id(), ConsentChange.OPTED_OUT, ConsentChange.SCOPE_MARKETING,
                        "cloud_api_131050", failure.evidence(), failure.occurredAt() == null ? now : failure.occurredAt())))
                .replaceWithVoid();
    }

    /** A recipient as addressed: an E.164 phone, else a business-scoped user id. */
    private static ContactResolver.Customer recipient(String to) {
        return PhoneNumbers.isE164(to) ? new ContactResolver.Customer(to, null) : new ContactResolver.Customer(null, to);
    }

    /**
     * Rule 2 when Meta says "window closed" only after accepting the message (an asynchronous 131047): the
     * fallback template goes, as it would have had our records known. It is a new message (its own id, wamid
     * and timeline, {@code fallbackFor} in its events) because the failed one's history only moves forward.
     * The dispatcher re-checks consent for it like for any business-initiated template.
     */
    private Uni<Void> queueFallback(SqlClient tx, Failure failure, Instant now) {
        UUID id = Ids.next();
        return tx.preparedQuery("select sender, fallback_template -> 'template' ->> 'name' as name, "
                + "fallback_template -> 'template' -> 'language' ->> 'code' as language from outbound_message "
                + "where id = $1").execute(Tuple.of(failure.messageId()))
                .chain(rows -> {
                    Row row = rows.iterator().hasNext() ? rows.iterator().next() : null;
                    // the catalogue's category first, as at accept; the static map only for a never-synced account
                    String category = row == null ? null
                            : templates.category(row.getString("sender"), row.getString("name"),
                                    row.getString("language"));
                    return tx.preparedQuery(QUEUE_FALLBACK).execute(Tuple.tuple().addUUID(failure.messageId())
                            .addUUID(id).addString(category).addOffsetDateTime(Times.utc(now)));
                })
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Uni.createFrom().voidItem(); // sent already, or queued by an earlier delivery
                    }
                    var row = rows.iterator().next();
                    JsonObject metadata = row.getValue("metadata") instanceof JsonObject json ? json : null;
                    Log.infof("131047 after acceptance: fallback template queued as %s for %s", id,
                            failure.messageId());
                    signal.accepted();
                    return timeline.announce(tx, List.of(new StatusChange(id, failure.recipient(),
                            row.getString("sender"), MessageStatus.QUEUED, null, null, null, failure.callbackUrl(),
                            metadata, StatusChange.Fallback.NONE, failure.messageId(), null, now)));
                });
    }
}
