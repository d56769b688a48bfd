package wagateway.cloudapi.webhook;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One error object of a Meta webhook ({@code statuses[].errors[]}, {@code messages[].errors[]},
 * {@code value.errors[]}). {@code detail} is {@code error_data.details}, else {@code message}.
 */
public record WebhookError(Integer code, String title, String detail) {

    public static WebhookError of(JsonNode node) {
        Integer code = node.path("code").canConvertToInt() ? node.path("code").asInt() : null;
        String detail = MetaJson.text(node.path("error_data"), "details");
        return new WebhookError(code, MetaJson.text(node, "title"),
                detail != null ? detail : MetaJson.text(node, "message"));
    }
}
