package wagateway.sandbox.console;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One entry of a console thread: a message the business sent (as the sandbox accepted it), a message the
 * customer wrote, or a note about a message the gateway has not (or not yet) handed to the sandbox.
 *
 * @param kind business, customer or note
 * @param id the wamid, or the gateway's message id for a note
 * @param at ISO-8601 instant, for ordering and display
 * @param type the Cloud API message type
 * @param content business: the Graph API request body; customer: the object named by {@code type}; note: null (the
 *        gateway's message list carries no content)
 * @param context the wamid this message replies to, or null
 * @param status business: accepted, sent, delivered, read or failed; customer: received or read; note: the gateway's status
 * @param errorCode the error of a failed message or of the last failed attempt
 * @param errorTitle its title
 * @param attempts how many times the gateway tried to send it (null when unknown)
 * @param reason the policy reason of a refused message (window_closed, opted_out, …)
 * @param typing customer: true while the business's typing indicator shows (sent with a read receipt, 25 s)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record ConsoleItem(String kind, String id, long seq, String at, String type, JsonNode content, String context,
        String status, Integer errorCode, String errorTitle, Integer attempts, String reason, Boolean typing) {
}
