package wagateway.sandbox;

import java.time.Duration;

/**
 * A simulated WhatsApp user and how they behave.
 *
 * @param phone E.164 with '+'
 * @param name profile name shown in inbound webhooks
 * @param whatsappUser false: every message to them fails with 131026
 * @param marketingOptedOut true: marketing templates fail with 131050
 * @param readsMessages false: their messages stop at {@code delivered}
 * @param answerDelay how long they take to read a delivered message; null = the status delay
 */
public record SandboxCustomer(String phone, String name, boolean whatsappUser, boolean marketingOptedOut,
        boolean readsMessages, Duration answerDelay) {

    /** Someone the sandbox has not been told about: a reachable WhatsApp user who reads. */
    static SandboxCustomer unknown(String phone) {
        return new SandboxCustomer(phone, "Sandbox Customer", true, false, true, null);
    }

    String waId() {
        return phone.startsWith("+") ? phone.substring(1) : phone;
    }
}
