package wagateway.policy;

import java.time.Instant;

/**
 * The facts of a message that the rules read.
 *
 * @param template whether the content is a template (the only kind allowed outside the window)
 * @param category category of the content (templates: utility / marketing / authentication;
 *        free-form: service)
 * @param hasFallback a {@code fallbackTemplate} was given
 * @param fallbackCategory category of that fallback template
 */
public record OutboundFacts(boolean template, String category, boolean hasFallback, String fallbackCategory,
        Instant expiresAt) {
}
