package wagateway.receipt;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The read state of one inbound message, as {@code POST /v1/messages/{id}/read} answers it.
 *
 * @param id our inbound message id
 * @param wamid the Cloud API id of the customer's message
 * @param readState pending (the receipt waits for the sender's dispatcher), sent, or failed
 * @param readAt when the Cloud API took the read receipt; null until then
 * @param typing whether a typing indicator was asked for with it
 * @param error why it failed, when it did
 */
@RegisterForReflection
public record ReadReceiptView(String id, String wamid, String readState, String readAt, boolean typing,
        @JsonInclude(JsonInclude.Include.NON_NULL) Error error) {

    /** The Cloud API's answer to a read receipt that failed for good. */
    @RegisterForReflection
    public record Error(Integer code, String title) {
    }
}
