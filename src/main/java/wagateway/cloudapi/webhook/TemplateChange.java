package wagateway.cloudapi.webhook;

/**
 * One template webhook of an account ({@code entry[].id}): {@code message_template_status_update} (a new
 * {@code status}, with Meta's {@code reason}), {@code template_category_update} ({@code category}, a completed
 * change only) or {@code message_template_quality_update} ({@code quality}). The fields it does not change are
 * null. A PAUSED status may come with the pause's length ({@code other_info.title} FIRST_PAUSE: 3 hours,
 * SECOND_PAUSE: 6 hours, Meta's template pausing rules); null when the webhook names none. Language codes are given as the
 * catalogue lists them ({@code en_US}; some webhooks say {@code en-US}).
 */
public record TemplateChange(String wabaId, String field, String name, String language, String status,
        String reason, String category, String quality, java.time.Duration pause) {
}
