package wagateway.policy;

import java.time.Instant;
import java.util.List;

/**
 * What we know of a recipient when a rule is applied: consent (derived from the audit trail) and the
 * customer-service window. {@link #UNKNOWN} for a number that never wrote and has no consent on record.
 */
public record Recipient(String consentStatus, List<String> consentCategories, boolean marketingOptedOut,
        Instant windowOpenUntil) {

    public static final Recipient UNKNOWN = new Recipient("none", null, false, null);

    public boolean optedOut() {
        return "opted_out".equals(consentStatus);
    }

    /** An opt-in on record that covers this category (an opt-in without categories covers all). */
    public boolean optedInFor(String category) {
        return "opted_in".equals(consentStatus)
                && (consentCategories == null || consentCategories.isEmpty() || consentCategories.contains(category));
    }
}
