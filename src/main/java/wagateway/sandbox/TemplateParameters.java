package wagateway.sandbox;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks a template send's components against the approved template: 132000 on a count mismatch, 132012 on a wrong header type.
 */
final class TemplateParameters {

    private TemplateParameters() {
    }

    static Optional<GraphError> check(SandboxTemplate template, JsonNode components) {
        JsonNode body = component(components, "body");
        int bodyCount = body == null ? 0 : body.path("parameters").size();
        if (bodyCount != template.bodyParameters()) {
            return Optional.of(GraphErrors.parameterCount("body: number of localizable_params (" + bodyCount
                    + ") does not match the expected number of params (" + template.bodyParameters() + ")"));
        }
        JsonNode header = component(components, "header");
        JsonNode headerParameters = header == null ? null : header.path("parameters");
        int headerCount = headerParameters == null ? 0 : headerParameters.size();
        int expectedHeader = template.hasHeader() ? 1 : 0;
        if (headerCount != expectedHeader) {
            return Optional.of(GraphErrors.parameterCount("header: number of params (" + headerCount
                    + ") does not match the expected number of params (" + expectedHeader + ")"));
        }
        if (expectedHeader == 1 && !template.headerType().equals(headerParameters.get(0).path("type").asText())) {
            return Optional.of(GraphErrors.parameterFormat("header: expected a parameter of type " + template.headerType()));
        }
        return Optional.empty();
    }

    private static JsonNode component(JsonNode components, String type) {
        if (components == null || !components.isArray()) {
            return null;
        }
        for (JsonNode component : components) {
            if (type.equalsIgnoreCase(component.path("type").asText())) {
                return component;
            }
        }
        return null;
    }
}
