package wagateway.contact;

import java.time.Instant;
import java.util.List;

/**
 * One entry for the consent audit trail ({@code consent_event}).
 *
 * @param status {@code opted_in} or {@code opted_out}
 * @param scope {@code all}, or {@code marketing} for a marketing-only change (user_preferences, 131050)
 * @param categories the categories the change names; null = all
 * @param source where it came from: {@code api} callers' own label, {@code keyword}, {@code user_preferences},
 *        {@code cloud_api_131050}
 * @param actor API key fingerprint, or {@code whatsapp} for what the customer did in WhatsApp
 * @param contactId the contact it is about ({@link ContactResolver}): consent is the person's, whichever identifier
 *        (phone, business-scoped user id) they wrote or were addressed with
 * @param evidence inbound wamid or error reference; a change with the same contact, status, scope, source and
 *        evidence is recorded once (Meta redelivers webhooks)
 */
public record ConsentChange(String contactId, String status, String scope, List<String> categories, String source,
        String actor, String evidence, Instant recordedAt) {

    public static final String OPTED_IN = "opted_in";
    public static final String OPTED_OUT = "opted_out";
    public static final String SCOPE_ALL = "all";
    public static final String SCOPE_MARKETING = "marketing";
    /** Actor of changes the customer made inside WhatsApp (keywords, marketing stop/resume, 131050). */
    public static final String WHATSAPP = "whatsapp";

    public static ConsentChange fromWhatsApp(String contactId, String status, String scope, String source,
            String evidence, Instant at) {
        return new ConsentChange(contactId, status, scope, null, source, WHATSAPP, evidence, at);
    }
}
