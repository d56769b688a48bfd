package wagateway.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What {@code POST /sandbox/customers/{phone}/messages} answers; the inbound webhook goes out right after.
 *
 * @param id the inbound message's wamid
 * @param windowOpenUntil when the customer's window with that number now closes
 * @param mediaId the media id of a file the customer sent (null for other messages)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record CustomerMessageAnswer(String id, String phoneNumberId, String type, String windowOpenUntil,
        boolean freeEntryPoint, String webhookUrl, String mediaId) {
}
