package wagateway.contact.api;

import java.time.Instant;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Answer of {@code GET /v1/contacts/{phone}}: consent state and its history, and the customer-service window.
 *
 * @param windowOpen whether the window is open now (spec §3.2)
 */
@RegisterForReflection
public record ContactView(String phone, String userId, String profileName, ConsentView consent,
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
