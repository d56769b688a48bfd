package wagateway.webhook;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import wagateway.cloudapi.webhook.UserPreference;
import wagateway.contact.ConsentChange;
import wagateway.contact.ConsentLedger;
import wagateway.contact.ContactResolver;
import wagateway.support.PhoneNumbers;

/**
 * A {@code user_preferences} webhook: the customer stopped ({@code stop}) or resumed ({@code resume}) marketing
 * messages inside WhatsApp. Recorded as a marketing-only opt-out / opt-in (spec §3.1), once per Meta event.
 */
@ApplicationScoped
public class MarketingPreferenceHandler {

    private final ConsentLedger consent;
    private final ContactResolver contacts;
    private final ContactRows rows;
    private final Clock clock;

    MarketingPreferenceHandler(ConsentLedger consent, ContactResolver contacts, ContactRows rows, Clock clock) {
        this.rows = rows;
        this.consent = consent;
        this.contacts = contacts;
        this.clock = clock;
    }

    Uni<Void> apply(SqlClient tx, UserPreference preference) {
        String status = "stop".equals(preference.value()) ? ConsentChange.OPTED_OUT
                : "resume".equals(preference.value()) ? ConsentChange.OPTED_IN : null;
        if (!"marketing_messages".equals(preference.category()) || status == null) {
            Log.debugf("user_preferences %s/%s: ignored", preference.category(), preference.value());
            return Uni.createFrom().voidItem();
        }
        String phone = PhoneNumbers.fromWaId(preference.waId());
        // Meta's timestamp identifies the event, so a redelivered webhook is recorded once.
        String evidence = preference.timestamp() == null ? null : preference.timestamp().toString();
        // consent follows when the customer chose, not when the webhook arrived (ConsentLedger)
        Instant happenedAt = preference.timestamp() == null ? clock.instant() : preference.timestamp();
        // a username-only customer (no wa_id, a user id) is a contact like any other
        ContactResolver.Customer customer = new ContactResolver.Customer(phone, preference.userId());
        return contacts.resolve(tx, customer, clock.instant())
                .chain(contact -> {
                    if (contact == null) {
                        Log.warn("user_preferences naming no customer: ignored");
                        return Uni.createFrom().voidItem();
                    }
                    return rows.follow(tx, List.of(customer), List.of(contact))
                            .chain(() -> consent.record(tx, ConsentChange.fromWhatsApp(contact.id(), status,
                                    ConsentChange.SCOPE_MARKETING, "user_preferences", evidence, happenedAt)))
                            .replaceWithVoid();
                });
    }
}
