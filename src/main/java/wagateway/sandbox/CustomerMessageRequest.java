package wagateway.sandbox;

/**
 * Body of {@code POST /sandbox/customers/{phone}/messages}: exactly one of {@code text},
 * {@code buttonReply}, {@code listReply}.
 *
 * @param context       the wamid of the business message this replies to
 * @param referral      true: the customer came from a click-to-WhatsApp ad (free entry point, 72 h window)
 * @param phoneNumberId the business number written to; default the replied-to message's, else the default sender's
 */
@io.quarkus.runtime.annotations.RegisterForReflection
public record CustomerMessageRequest(String text, ButtonReply buttonReply, ListReply listReply, String context,
        Boolean referral, String phoneNumberId) {

    /** A tap on a reply button of an interactive message. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record ButtonReply(String id, String title) {
    }

    /** A choice in a list message. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record ListReply(String id, String title, String description) {
    }
}
