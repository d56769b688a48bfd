package wagateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A message the sandbox accepted, for {@code GET /sandbox/messages}.
 *
 * @param status the last status it reported: accepted, sent, delivered, read or failed
 * @param errorCode the code of a failed message
 * @param request the body as sent to the Graph API
 */
@RegisterForReflection
public record SentMessageView(String id, String phoneNumberId, String to, String type, String status,
        Integer errorCode, String pricingCategory, String acceptedAt, JsonNode request) {

    static SentMessageView of(SandboxMessage m) {
        return new SentMessageView(m.wamid(), m.phoneNumberId(), m.to(), m.type(), m.status(), m.errorCode(),
                m.pricingCategory(), m.acceptedAt().toString(), m.request());
    }
}
