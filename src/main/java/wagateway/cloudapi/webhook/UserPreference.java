package wagateway.cloudapi.webhook;

import java.time.Instant;

/**
 * One {@code user_preferences[]} item: the customer stopped or resumed marketing messages inside WhatsApp.
 *
 * @param waId digits, no '+'; null when absent
 * @param category {@code marketing_messages} (others are kept and ignored)
 * @param value {@code stop}, {@code resume} (others, such as {@code signup}, are ignored)
 */
public record UserPreference(String waId, String userId, String category, String value, Instant timestamp,
        String detail) {
}
