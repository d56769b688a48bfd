package wagateway.webhook;

import java.time.Clock;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import wagateway.cloudapi.webhook.UserPreference;
import wagateway.contact.ConsentChange;
import wagateway.contact.ConsentLedger;
import wagateway.contact.ContactStore;
import wagateway.support.PhoneNumbers;

/**
 * A {@code user_preferences} webhook: the customer stopped ({@code stop}) or resumed ({@code resume}) marketing
 * messages inside WhatsApp. Recorded as a marketing-only opt-out / opt-in (spec §3.1), once per Meta event.
 */
@ApplicationScoped
public class MarketingPreferenceHandler {

    private final ConsentLedger consent;
    private final ContactStore contacts;
    private final Clock clock;

    MarketingPreferenceHandler(ConsentLedger consent, ContactStore contacts, Clock clock) {
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
        Uni<String> knownPhone = phone != null ? Uni.createFrom().item(phone)
                : contacts.phoneOfUser(tx, preference.userId());
        // Meta's timestamp identifies the event, so a redelivered webhook is recorded once.
        String evidence = preference.timestamp() == null ? null : preference.timestamp().toString();
        // consent follows when the customer chose, not when the webhook arrived (ConsentLedger)
        Instant happenedAt = preference.timestamp() == null ? clock.instant() : preference.timestamp();
        return knownPhone.chain(contactPhone -> {
            if (contactPhone == null) {
                Log.warn("user_preferences for an unknown customer: ignored");
                return Uni.createFrom().voidItem();
            }
            return consent.record(tx, ConsentChange.fromWhatsApp(contactPhone, status, ConsentChange.SCOPE_MARKETING,
                    "user_preferences", evidence, happenedAt, preference.userId())).replaceWithVoid();
        });
    }
}
