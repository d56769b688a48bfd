package wagateway.sandbox;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code PUT /sandbox/templates/{name}}.
 *
 * @param category utility, marketing or authentication (required)
 * @param language approved language code, default en_US
 * @param bodyParameters body parameters a send must give, default 0
 * @param headerType none (default), text, image, video or document
 */
@RegisterForReflection
public record TemplateRequest(String category, String language, Integer bodyParameters, String headerType) {
}
