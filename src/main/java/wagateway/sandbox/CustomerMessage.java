package wagateway.sandbox;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A message a simulated customer wrote to the business, as the sandbox sent it in the inbound webhook.
 *
 * @param seq position among everything the ledger recorded (business and customer messages)
 * @param phone the customer, E.164 with '+'
 * @param type text or interactive
 * @param content the object named by {@code type} in the webhook ({@code {"body":…}} or the interactive reply)
 * @param context the wamid of the business message it replies to, or null
 * @param readByBusiness whether the business marked it read (Graph API {@code status: read})
 * @param typingAt when the business last showed a typing indicator with a read receipt, or null
 */
public record CustomerMessage(long seq, String wamid, String phone, String phoneNumberId, String type,
        JsonNode content, String context, Instant at, boolean readByBusiness, Instant typingAt) {

    /** WhatsApp shows a typing indicator for at most 25 s (or until the business's reply arrives). */
    public static final Duration TYPING_LIFETIME = Duration.ofSeconds(25);

    CustomerMessage read(boolean typing, Instant now) {
        return new CustomerMessage(seq, wamid, phone, phoneNumberId, type, content, context, at, true,
                typing ? now : typingAt);
    }

    /** Whether the customer sees "typing…" at {@code now}. */
    public boolean typingAt(Instant now) {
        return typingAt != null && now.isBefore(typingAt.plus(TYPING_LIFETIME));
    }
}
