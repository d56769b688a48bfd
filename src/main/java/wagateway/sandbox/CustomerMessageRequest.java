package wagateway.sandbox;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code POST /sandbox/customers/{phone}/messages}: exactly one of {@code text},
 * {@code buttonReply}, {@code listReply}, {@code media}.
 *
 * @param context the wamid of the business message this replies to
 * @param referral true: the customer came from a click-to-WhatsApp ad (free entry point, 72 h window)
 * @param phoneNumberId the business number written to; default the replied-to message's, else the default sender's
 */
@RegisterForReflection
public record CustomerMessageRequest(String text, ButtonReply buttonReply, ListReply listReply, Media media,
        String context, Boolean referral, String phoneNumberId) {

    /**
     * The customer sends a file. Without {@code dataBase64} the sandbox makes a small valid file of the type
     * (padded to {@code sizeBytes} when given).
     *
     * @param type image, video, audio, document or sticker
     * @param mimeType default per type: image/jpeg, video/mp4, audio/ogg, application/pdf, image/webp
     * @param dataBase64 the file's bytes, base64
     * @param filename documents: the file name the webhook carries
     * @param caption image, video, document: the caption
     * @param sizeBytes size of a generated file (at most 100 MiB)
     */
    @RegisterForReflection
    public record Media(String type, String mimeType, String dataBase64, String filename, String caption, Long sizeBytes) {
    }

    /** A tap on a reply button of an interactive message. */
    @RegisterForReflection
    public record ButtonReply(String id, String title) {
    }

    /** A choice in a list message. */
    @RegisterForReflection
    public record ListReply(String id, String title, String description) {
    }
}
