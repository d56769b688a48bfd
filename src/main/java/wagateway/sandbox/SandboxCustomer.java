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
 * @param username a WhatsApp username: the customer hides their phone, so webhooks carry empty phone fields
 *        and their business-scoped user id only, as Meta's do; null = none
 */
public record SandboxCustomer(String phone, String name, boolean whatsappUser, boolean marketingOptedOut,
        boolean readsMessages, Duration answerDelay, String username) {

    public SandboxCustomer(String phone, String name, boolean whatsappUser, boolean marketingOptedOut,
            boolean readsMessages, Duration answerDelay) {
        this(phone, name, whatsappUser, marketingOptedOut, readsMessages, answerDelay, null);
    }

    /** Someone the sandbox has not been told about: a reachable WhatsApp user who reads. */
    static SandboxCustomer unknown(String phone) {
        return new SandboxCustomer(phone, "Sandbox Customer", true, false, true, null);
    }

    /** Their business-scoped user id: one per phone number (a new number gets a new one). */
    String userId() {
        return SandboxIds.userId(waId());
    }

    /** Whether webhooks withhold their phone number (they adopted a username). */
    boolean phoneHidden() {
        return username != null;
    }

    /** The same customer on another number. */
    SandboxCustomer withPhone(String newPhone) {
        return new SandboxCustomer(newPhone, name, whatsappUser, marketingOptedOut, readsMessages, answerDelay,
                username);
    }

    String waId() {
        return phone.startsWith("+") ? phone.substring(1) : phone;
    }
}
