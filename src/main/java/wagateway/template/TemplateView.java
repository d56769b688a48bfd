package wagateway.template;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A catalogue template as {@code GET /v1/templates} shows it.
 *
 * @param waba the account's configured name ({@code gateway.wabas.<name>})
 * @param status Meta's status: APPROVED, PENDING, REJECTED, PAUSED, DISABLED…; only APPROVED templates are accepted
 * @param quality GREEN, YELLOW, RED or UNKNOWN (null when Meta gave none)
 * @param parameters what a message of this template must give
 * @param components Meta's component definitions, as listed by the Graph API
 */
@RegisterForReflection
public record TemplateView(String waba, String wabaId, String name, String language, String metaId, String status,
        String category, String quality, String parameterFormat, Parameters parameters, JsonNode components,
        Instant updatedAt) {

    /**
     * @param header the header's format (TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION; null: no header) and how many
     *        parameters it takes (0 or 1)
     * @param body how many body parameters, and their names for a named template
     * @param buttons the buttons; a send gives a {@code button} component (index, sub_type) for each required one
     */
    @RegisterForReflection
    public record Parameters(Header header, Body body, List<TemplateShape.Button> buttons) {
    }

    @RegisterForReflection
    public record Header(String format, int parameters) {
    }

    @RegisterForReflection
    public record Body(int parameters, List<String> names) {
    }

    static Parameters parameters(TemplateShape shape) {
        return new Parameters(new Header(shape.headerFormat(), shape.headerParameters()),
                new Body(shape.bodyParameters(), shape.bodyNames()), shape.buttons());
    }
}
