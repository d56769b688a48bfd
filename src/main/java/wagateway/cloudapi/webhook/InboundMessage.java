package wagateway.cloudapi.webhook;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One {@code messages[]} item of Meta's webhook: something a customer sent us, of any type.
 *
 * @param from the customer's wa_id (digits, no '+'); null when Meta left it empty (usernames, 2026)
 * @param fromUserId the business-scoped user id ({@code from_user_id}, else {@code contacts[].user_id})
 * @param profileName {@code contacts[].profile.name} of this customer, when given
 * @param username {@code contacts[].profile.username}: the customer's WhatsApp username, when they adopted one
 * @param content the object named by {@code type} ({@code text}, {@code image}, ...), null when absent
 * @param raw the item exactly as received
 * @param phoneNumberId our business number it was sent to ({@code metadata.phone_number_id})
 */
public record InboundMessage(String wamid, String from, String fromUserId, String profileName, String username,
        String type,
        Instant timestamp, JsonNode context, JsonNode referral, JsonNode content, ObjectNode raw,
        String phoneNumberId) {

    /** {@code system.type} of a system notice: {@code user_changed_number}, {@code user_changed_user_id}, ... */
    public String systemType() {
        return "system".equals(type) ? MetaJson.text(content, "type") : null;
    }

    /**
     * The phone number a {@code user_changed_number} notice moves the customer to ({@code system.wa_id}, digits);
     * null for any other message.
     */
    public String newWaId() {
        return "user_changed_number".equals(systemType()) ? MetaJson.text(content, "wa_id") : null;
    }

    /**
     * The business-scoped user id a {@code user_changed_number} or {@code user_changed_user_id} notice gives the
     * customer ({@code system.user_id}: a new number means a new user id); null for any other message.
     */
    public String newUserId() {
        String system = systemType();
        return "user_changed_number".equals(system) || "user_changed_user_id".equals(system)
                ? MetaJson.text(content, "user_id")
                : null;
    }

    /** {@code context.id}: the message the customer replied to or reacted to. */
    public String contextWamid() {
        return MetaJson.text(context, "id");
    }

    /**
     * A Click-to-WhatsApp ad (or Page call-to-action) referral with a click id: the conversation is a free
     * entry point, whose window lasts 72 h.
     */
    public boolean freeEntryPoint() {
        return MetaJson.text(referral, "ctwa_clid") != null;
    }
}
