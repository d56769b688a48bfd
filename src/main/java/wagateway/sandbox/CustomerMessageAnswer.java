package wagateway.sandbox;

/**
 * What {@code POST /sandbox/customers/{phone}/messages} answers; the inbound webhook goes out right after.
 *
 * @param id              the inbound message's wamid
 * @param windowOpenUntil when the customer's window with that number now closes
 */
@io.quarkus.runtime.annotations.RegisterForReflection
public record CustomerMessageAnswer(String id, String phoneNumberId, String type, String windowOpenUntil,
        boolean freeEntryPoint, String webhookUrl) {
}
