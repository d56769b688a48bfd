package wagateway.sandbox;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code POST /sandbox/templates/{name}/status}, {@code /category} and {@code /quality}: the one field
 * the endpoint changes.
 *
 * @param status APPROVED, PENDING, REJECTED, PAUSED or DISABLED
 * @param reason the status webhook's reason (default NONE)
 * @param pause with PAUSED: FIRST_PAUSE (3 hours) or SECOND_PAUSE (6 hours), sent as the webhook's
 *        {@code other_info} as Meta does; omitted: a pause webhook without {@code other_info}
 * @param category utility, marketing or authentication
 * @param quality GREEN, YELLOW, RED or UNKNOWN
 */
@RegisterForReflection
public record TemplateChangeRequest(String status, String reason, String category, String quality,
        String pause) {
}
