package wagateway.conversation;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The contact beside a thread: consent and the customer-service window (spec §3.1, §3.2). A number the
 * gateway never heard from has consent {@code none} and a closed window.
 *
 * @param phone E.164; null for a customer known by business-scoped user id only
 * @param id the gateway's contact id ({@code c_…}); null for a customer never heard from
 * @param userId the business-scoped user id, when known
 * @param username the customer's WhatsApp username, when they adopted one
 */
@RegisterForReflection
public record ContactSummary(String phone, String profileName, String consentStatus, boolean marketingOptedOut,
        Instant lastInboundAt, Instant windowOpenUntil, boolean windowOpen, String id, String userId,
        String username) {
}
