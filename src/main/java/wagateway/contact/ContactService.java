package wagateway.contact;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import wagateway.contact.api.ConsentRequest;
import wagateway.contact.api.ContactView;
import wagateway.contact.api.ContactView.ConsentRecordView;
import wagateway.contact.api.ContactView.ConsentView;

/** Contacts and consent (spec §2 "Contacts and consent", §3 rules 1–2): the consent API's use cases. */
@ApplicationScoped
public class ContactService {

    private final Pool pool;
    private final ConsentLedger ledger;
    private final Clock clock;

    ContactService(Pool pool, ConsentLedger ledger, Clock clock) {
        this.pool = pool;
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * Appends explicit consent from the API to the trail. An opt-out of exactly {@code [marketing]} is a
     * marketing-only opt-out (spec §3.1); anything else changes the overall consent.
     *
     * @param actor the calling API key's fingerprint
     * @return the contact afterwards
     */
    public Uni<ContactView> recordConsent(String phone, ConsentRequest request, String actor) {
        List<String> categories = request.categories() == null ? null
                : request.categories().stream().distinct().toList();
        boolean marketingOnly = ConsentChange.OPTED_OUT.equals(request.status())
                && List.of("marketing").equals(categories);
        var change = new ConsentChange(phone, request.status(),
                marketingOnly ? ConsentChange.SCOPE_MARKETING : ConsentChange.SCOPE_ALL, categories,
                request.source().trim(), actor, null, clock.instant(), null);
        return pool.withTransaction(tx -> ledger.record(tx, change)).chain(() -> find(phone));
    }

    /** @return the contact with its consent history, or null when the gateway has never heard of it */
    public Uni<ContactView> find(String phone) {
        return Panache.withSession(() -> Contact.<Contact> findById(phone)
                .onItem().ifNotNull().transformToUni(contact -> ConsentEvent
                        .<ConsentEvent> list("phone = ?1 order by id", phone)
                        .map(history -> view(contact, history))));
    }

    private ContactView view(Contact contact, List<ConsentEvent> history) {
        // the time of the latest change, which is not always the last to arrive (ConsentLedger)
        Instant consentUpdatedAt = history.stream().map(e -> e.recordedAt).max(Instant::compareTo).orElse(null);
        var consent = new ConsentView(contact.consentStatus, list(contact.consentCategories), contact.marketingOptedOut,
                consentUpdatedAt);
        var records = history.stream().map(e -> new ConsentRecordView(e.status, e.scope, list(e.categories), e.source,
                e.actor, e.evidence, e.recordedAt)).toList();
        boolean windowOpen = contact.windowOpenUntil != null && contact.windowOpenUntil.isAfter(clock.instant());
        return new ContactView(contact.phone, contact.userId, contact.profileName, consent, records,
                contact.lastInboundAt, contact.windowOpenUntil, windowOpen, contact.freeEntryPoint);
    }

    private static List<String> list(String[] values) {
        return values == null ? null : Arrays.asList(values);
    }
}
