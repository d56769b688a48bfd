package wagateway.contact.api;

import java.time.Instant;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Answer of {@code GET /v1/contacts/{id}}: who the contact is, consent state and its history, and the
 * customer-service window.
 *
 * @param id the gateway's id of the contact ({@code c_} and 32 hex digits): stable whatever identifiers the person
 *        has or changes to
 * @param phone E.164; null for a customer known only by business-scoped user id (a WhatsApp username)
 * @param userId Meta's business-scoped user id, when known
 * @param username the customer's WhatsApp username, when they adopted one (display only)
 * @param windowOpen whether the window is open now (spec §3.2)
 */
@RegisterForReflection
public record ContactView(String id, String phone, String userId, String username, String profileName,
        ConsentView consent,
        List<ConsentRecordView> history, Instant lastInboundAt, Instant windowOpenUntil, boolean windowOpen,
        boolean freeEntryPoint) {

    /**
     * Current consent, derived from the history.
     *
     * @param status none | opted_in | opted_out
     * @param updatedAt when the latest consent change was recorded; null without any
     */
    @RegisterForReflection
    public record ConsentView(String status, List<String> categories, boolean marketingOptedOut, Instant updatedAt) {
    }

    /** One audit-trail entry, oldest first. */
    @RegisterForReflection
    public record ConsentRecordView(String status, String scope, List<String> categories, String source, String actor,
            String evidence, Instant recordedAt) {
    }
}
