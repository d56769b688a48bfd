package wagateway.cloudapi.webhook;

import java.util.List;

/**
 * Everything one POST from Meta carries, flattened over all {@code entry[]} and {@code changes[]}, in the
 * order received.
 */
public record WebhookBatch(List<StatusUpdate> statuses, List<InboundMessage> messages,
        List<UserPreference> userPreferences, List<WebhookError> errors, List<TemplateChange> templateChanges) {
}
