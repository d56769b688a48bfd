package wagateway.conversation;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One conversation of {@code GET /v1/conversations}.
 *
 * @param lastActivityAt the later of the customer's last message and our last accepted message
 * @param lastMessage the newest message either way (the shape of a thread item)
 * @param unread inbound messages not marked read (no read receipt sent yet)
 */
@RegisterForReflection
public record ConversationView(String phone, String profileName, Instant lastActivityAt, ThreadItem lastMessage,
        long unread, Instant windowOpenUntil, boolean windowOpen) {
}
