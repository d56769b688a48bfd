package wagateway.sandbox;

import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A sandbox customer as the control API shows it.
 *
 * @param windowOpenUntil per phone-number id, when the customer's service window closes (or closed)
 * @param freeEntryPoint per phone-number id, whether that window came from an ad (72 h)
 * @param userId their business-scoped user id (a new one with each number)
 * @param username their WhatsApp username; set, the phone is hidden from the business
 */
@RegisterForReflection
public record CustomerView(String phone, String name, boolean whatsappUser, boolean marketingOptedOut,
        boolean readsMessages, String answerDelay, Map<String, String> windowOpenUntil,
        Map<String, Boolean> freeEntryPoint, String userId, String username) {
}
