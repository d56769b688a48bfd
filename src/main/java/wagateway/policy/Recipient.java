package wagateway.policy;

import java.time.Instant;
import java.util.List;

/**
 * What we know of a recipient when a rule is applied: consent (derived from the audit trail) and the
 * customer-service window. {@link #UNKNOWN} for a recipient that never wrote and has no consent on record.
 *
 * @param person what names the person across identifiers, for the rules counted per recipient (pair pacing,
 *        the messaging limit's distinct recipients): the contact's phone, else its contact id; null when unknown
 */
public record Recipient(String consentStatus, List<String> consentCategories, boolean marketingOptedOut,
        Instant windowOpenUntil, String person) {

    public static final Recipient UNKNOWN = new Recipient("none", null, false, null, null);

    public Recipient(String consentStatus, List<String> consentCategories, boolean marketingOptedOut,
            Instant windowOpenUntil) {
        this(consentStatus, consentCategories, marketingOptedOut, windowOpenUntil, null);
    }

    /**
     * The key of the person a message to {@code to} reaches: a message by phone and one by user id to the same
     * contact are paced and counted as one recipient. Keyed by phone whenever the contact has one, so the keys
     * recorded before contacts had ids still count.
     */
    public String personOr(String to) {
        return person != null ? person : to;
    }

    public boolean optedOut() {
        return "opted_out".equals(consentStatus);
    }

    /** An opt-in on record that covers this category (an opt-in without categories covers all). */
    public boolean optedInFor(String category) {
        return "opted_in".equals(consentStatus)
                && (consentCategories == null || consentCategories.isEmpty() || consentCategories.contains(category));
    }
}
