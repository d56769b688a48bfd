package wagateway.template;

import java.time.Instant;

/**
 * One catalogue template as each replica holds it in memory: what the accept and send checks and the API need.
 *
 * @param components Meta's components array as JSON text
 */
public record TemplateFacts(String wabaId, String name, String language, String metaId, String status,
        String category, String quality, String parameterFormat, String components, TemplateShape shape,
        Instant updatedAt) {

    public static final String APPROVED = "APPROVED";

    public boolean approved() {
        return APPROVED.equals(status);
    }

    /** Paused or disabled: a message waiting for it cannot go (Meta would answer 132015 / 132016). */
    public boolean stopped() {
        return "PAUSED".equals(status) || "DISABLED".equals(status);
    }
}
