package wagateway.sandbox;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code PUT /sandbox/templates/{name}}.
 *
 * @param category utility, marketing or authentication (required)
 * @param language language code, default en_US
 * @param bodyParameters body parameters a send must give, default 0
 * @param headerType none (default), text, image, video or document
 * @param buttons the buttons in order: quick_reply, url, copy_code or otp; default none
 * @param status APPROVED (default), PENDING, REJECTED, PAUSED or DISABLED
 */
@RegisterForReflection
public record TemplateRequest(String category, String language, Integer bodyParameters, String headerType,
        List<String> buttons, String status) {
}
