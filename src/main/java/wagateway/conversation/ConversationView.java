package wagateway.conversation;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One conversation of {@code GET /v1/conversations}.
 *
 * @param lastActivityAt the later of the customer's last message and our last accepted message
 * @param lastMessage the newest message either way (the shape of a thread item)
 * @param phone the customer's phone; for a customer known without phone (a username), their business-scoped
 *        user id, which also names them in {@code /v1/contacts/{id}}
 * @param unread inbound messages not marked read (no read receipt sent yet)
 * @param contactId the gateway's contact id; null for a number never heard from
 * @param userId the business-scoped user id, when known
 * @param username the customer's WhatsApp username, when they adopted one
 */
@RegisterForReflection
public record ConversationView(String phone, String profileName, Instant lastActivityAt, ThreadItem lastMessage,
        long unread, Instant windowOpenUntil, boolean windowOpen, String contactId, String userId, String username) {
}
