package wagateway.conversation;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The contact beside a thread: consent and the customer-service window (spec §3.1, §3.2). A number the
 * gateway never heard from has consent {@code none} and a closed window.
 */
@RegisterForReflection
public record ContactSummary(String phone, String profileName, String consentStatus, boolean marketingOptedOut,
        Instant lastInboundAt, Instant windowOpenUntil, boolean windowOpen) {
}
