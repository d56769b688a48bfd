package wagateway.sandbox;

import java.util.Set;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An approved template as the sandbox knows it.
 *
 * @param name template name
 * @param category utility, marketing or authentication
 * @param language the one language it is approved in ({@code en_US})
 * @param bodyParameters how many body parameters a send must give
 * @param headerType none, text, image, video or document: a header other than none takes one parameter of that type
 */
@RegisterForReflection
public record SandboxTemplate(String name, String category, String language, int bodyParameters, String headerType) {

    public static final Set<String> CATEGORIES = Set.of("utility", "marketing", "authentication");
    public static final Set<String> HEADER_TYPES = Set.of("none", "text", "image", "video", "document");

    boolean hasHeader() {
        return !"none".equals(headerType);
    }
}
