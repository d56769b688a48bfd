package wagateway.sandbox;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A message a simulated customer wrote to the business, as the sandbox sent it in the inbound webhook.
 *
 * @param seq           position among everything the ledger recorded (business and customer messages)
 * @param phone         the customer, E.164 with '+'
 * @param type          text or interactive
 * @param content       the object named by {@code type} in the webhook ({@code {"body":…}} or the interactive reply)
 * @param context       the wamid of the business message it replies to, or null
 * @param readByBusiness whether the business marked it read (Graph API {@code status: read})
 */
public record CustomerMessage(long seq, String wamid, String phone, String phoneNumberId, String type,
        JsonNode content, String context, Instant at, boolean readByBusiness) {

    CustomerMessage read() {
        return new CustomerMessage(seq, wamid, phone, phoneNumberId, type, content, context, at, true);
    }
}
