package wagateway.template;

import java.time.Instant;

/**
 * One catalogue template as each replica holds it in memory: what the accept and send checks and the API need.
 *
 * @param components Meta's components array as JSON text
 * @param pausedUntil when a PAUSED template unpauses, as its pause webhook told (null: not paused, or no end known)
 */
public record TemplateFacts(String wabaId, String name, String language, String metaId, String status,
        String category, String quality, String parameterFormat, String components, TemplateShape shape,
        Instant updatedAt, Instant pausedUntil) {

    public static final String APPROVED = "APPROVED";

    public boolean approved() {
        return APPROVED.equals(status);
    }

    /** Paused with a known end still ahead at {@code now}: a waiting message may wait for that end. */
    public boolean pausedUntilLater(Instant now) {
        return "PAUSED".equals(status) && pausedUntil != null && pausedUntil.isAfter(now);
    }

    /** Paused with a known end that has passed: Meta unpauses it on its own (docs/api.md). */
    public boolean pauseOver(Instant now) {
        return "PAUSED".equals(status) && pausedUntil != null && !pausedUntil.isAfter(now);
    }

    /** Paused or disabled: a message waiting for it cannot go (Meta would answer 132015 / 132016). */
    public boolean stopped() {
        return "PAUSED".equals(status) || "DISABLED".equals(status);
    }
}
