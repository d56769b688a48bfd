package wagateway.contact;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.contact.api.ConsentRequest;
import wagateway.contact.api.ContactView;
import wagateway.contact.api.ContactView.ConsentRecordView;
import wagateway.contact.api.ContactView.ConsentView;
import wagateway.support.CustomerIds;

/** Contacts and consent (spec §2 "Contacts and consent", §3 rules 1–2): the consent API's use cases. */
@ApplicationScoped
public class ContactService {

    private final Pool pool;
    private final ConsentLedger ledger;
    private final ContactResolver resolver;
    private final Clock clock;

    ContactService(Pool pool, ConsentLedger ledger, ContactResolver resolver, Clock clock) {
        this.pool = pool;
        this.resolver = resolver;
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * Appends explicit consent from the API to the trail. An opt-out of exactly {@code [marketing]} is a
     * marketing-only opt-out (spec §3.1); anything else changes the overall consent.
     *
     * @param identifier a phone, a business-scoped user id or the gateway's contact id ({@link CustomerIds}); a
     *        phone or user id never seen makes a new contact, a contact id must exist
     * @param actor the calling API key's fingerprint
     * @return the contact afterwards; null for a contact id that names none
     */
    public Uni<ContactView> recordConsent(String identifier, ConsentRequest request, String actor) {
        List<String> categories = request.categories() == null ? null
                : request.categories().stream().distinct().toList();
        boolean marketingOnly = ConsentChange.OPTED_OUT.equals(request.status())
                && List.of("marketing").equals(categories);
        Instant now = clock.instant();
        return pool.withTransaction(tx -> contactOf(tx, identifier, now).chain(id -> {
            if (id == null) {
                return Uni.createFrom().<String> nullItem();
            }
            var change = new ConsentChange(id, request.status(),
                    marketingOnly ? ConsentChange.SCOPE_MARKETING : ConsentChange.SCOPE_ALL, categories,
                    request.source().trim(), actor, null, now);
            return ledger.record(tx, change).replaceWith(id);
        })).chain(id -> id == null ? Uni.createFrom().nullItem() : find(id));
    }

    private Uni<String> contactOf(SqlClient tx, String identifier, Instant now) {
        if (CustomerIds.isContactId(identifier)) {
            return tx.preparedQuery("select id from contact where id = $1").execute(Tuple.of(identifier))
                    .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString("id") : null);
        }
        var customer = CustomerIds.isPhone(identifier) ? new ContactResolver.Customer(identifier, null)
                : new ContactResolver.Customer(null, identifier);
        return resolver.resolve(tx, customer, now).map(ContactResolver.Resolved::id);
    }

    /**
     * @param identifier a phone, a business-scoped user id or the gateway's contact id
     * @return the contact with its consent history, or null when the gateway has never heard of it
     */
    public Uni<ContactView> find(String identifier) {
        return Panache.withSession(() -> contact(identifier)
                .onItem().ifNotNull().transformToUni(contact -> ConsentEvent
                        .<ConsentEvent> list("contactId = ?1 order by id", contact.id)
                        .map(history -> view(contact, history))));
    }

    private static Uni<Contact> contact(String identifier) {
        if (CustomerIds.isContactId(identifier)) {
            return Contact.findById(identifier);
        }
        if (CustomerIds.isPhone(identifier)) {
            return Contact.find("phone = ?1", identifier).firstResult();
        }
        return Contact.find("userId = ?1 order by updatedAt desc", identifier).firstResult();
    }

    private ContactView view(Contact contact, List<ConsentEvent> history) {
        // the time of the latest change, which is not always the last to arrive (ConsentLedger)
        Instant consentUpdatedAt = history.stream().map(e -> e.recordedAt).max(Instant::compareTo).orElse(null);
        var consent = new ConsentView(contact.consentStatus, list(contact.consentCategories), contact.marketingOptedOut,
                consentUpdatedAt);
        var records = history.stream().map(e -> new ConsentRecordView(e.status, e.scope, list(e.categories), e.source,
                e.actor, e.evidence, e.recordedAt)).toList();
        boolean windowOpen = contact.windowOpenUntil != null && contact.windowOpenUntil.isAfter(clock.instant());
        return new ContactView(contact.id, contact.phone, contact.userId, contact.username, contact.profileName,
                consent, records,
                contact.lastInboundAt, contact.windowOpenUntil, windowOpen, contact.freeEntryPoint);
    }

    private static List<String> list(String[] values) {
        return values == null ? null : Arrays.asList(values);
    }
}
