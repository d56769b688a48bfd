package wagateway.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import wagateway.message.ClaimedMessage;
import wagateway.support.PhoneNumbers;

/** Builds the Cloud API body for a claimed message. */
final class CloudApiRequests {

    private CloudApiRequests() {
    }

    /**
     * The stored content plus the send envelope. The gateway's message id travels as
     * {@code biz_opaque_callback_data} so status webhooks match even if a crash lost the wamid (rule 7). A phone
     * goes in {@code to} (digits); a business-scoped user id in {@code recipient}, verbatim, as Meta documents for
     * BSUIDs ({@code to} would take precedence, so it is left out).
     */
    static JsonNode body(ObjectMapper mapper, ClaimedMessage m, boolean useFallback) {
        ObjectNode body = mapper.createObjectNode();
        body.put("messaging_product", "whatsapp");
        body.put("recipient_type", "individual");
        if (PhoneNumbers.isE164(m.recipient())) {
            body.put("to", PhoneNumbers.toWaId(m.recipient()));
        } else {
            body.put("recipient", m.recipient());
        }
        var source = useFallback ? m.fallbackTemplate() : m.content();
        ObjectNode content = mapper.convertValue(source.getMap(), ObjectNode.class);
        body.setAll(content);
        if (m.replyTo() != null) {
            body.putObject("context").put("message_id", m.replyTo());
        }
        body.put("biz_opaque_callback_data", m.id().toString());
        return body;
    }
}
