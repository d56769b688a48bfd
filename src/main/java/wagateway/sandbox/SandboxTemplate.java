package wagateway.sandbox;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A template of the sandbox's one WhatsApp Business Account, as the sandbox knows it.
 *
 * @param id Meta's template id (numeric string)
 * @param name template name
 * @param category utility, marketing or authentication
 * @param language the one language it exists in ({@code en_US})
 * @param bodyParameters how many body parameters a send must give
 * @param headerType none, text, image, video or document: a header other than none takes one parameter of that type
 * @param buttons the template's buttons in order: quick_reply, url (a dynamic URL suffix), copy_code or otp
 *        (an authentication copy-code button)
 * @param status Meta's review status: APPROVED, PENDING, REJECTED, PAUSED or DISABLED
 * @param quality Meta's quality score: GREEN, YELLOW, RED or UNKNOWN
 */
@RegisterForReflection
public record SandboxTemplate(String id, String name, String category, String language, int bodyParameters,
        String headerType, List<String> buttons, String status, String quality) {

    public static final Set<String> CATEGORIES = Set.of("utility", "marketing", "authentication");
    public static final Set<String> HEADER_TYPES = Set.of("none", "text", "image", "video", "document");
    public static final Set<String> BUTTON_TYPES = Set.of("quick_reply", "url", "copy_code", "otp");
    public static final Set<String> STATUSES = Set.of("APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED");
    public static final Set<String> QUALITIES = Set.of("GREEN", "YELLOW", "RED", "UNKNOWN");

    public SandboxTemplate {
        buttons = buttons == null ? List.of() : List.copyOf(buttons);
    }

    boolean hasHeader() {
        return !"none".equals(headerType);
    }

    SandboxTemplate withStatus(String newStatus) {
        return new SandboxTemplate(id, name, category, language, bodyParameters, headerType, buttons, newStatus, quality);
    }

    SandboxTemplate withCategory(String newCategory) {
        return new SandboxTemplate(id, name, newCategory, language, bodyParameters, headerType, buttons, status, quality);
    }

    SandboxTemplate withQuality(String newQuality) {
        return new SandboxTemplate(id, name, category, language, bodyParameters, headerType, buttons, status, newQuality);
    }

    /** The template as Meta's {@code GET /{waba-id}/message_templates} lists it. */
    ObjectNode toGraph() {
        ObjectNode t = JsonNodeFactory.instance.objectNode();
        t.put("name", name);
        t.put("parameter_format", "POSITIONAL");
        ArrayNode components = t.putArray("components");
        if (hasHeader()) {
            ObjectNode header = components.addObject().put("type", "HEADER").put("format", headerType.toUpperCase(Locale.ROOT));
            if ("text".equals(headerType)) {
                header.put("text", "Hello {{1}}");
            }
        }
        StringBuilder body = new StringBuilder("Sandbox template ").append(name);
        for (int i = 1; i <= bodyParameters; i++) {
            body.append(" {{").append(i).append("}}");
        }
        components.addObject().put("type", "BODY").put("text", body.toString());
        if (!buttons.isEmpty()) {
            ArrayNode list = components.addObject().put("type", "BUTTONS").putArray("buttons");
            for (String button : buttons) {
                switch (button) {
                    case "url" -> list.addObject().put("type", "URL").put("text", "Open").put("url",
                            "https://example.com/{{1}}");
                    case "copy_code" -> list.addObject().put("type", "COPY_CODE").put("example", "CODE123");
                    case "otp" -> list.addObject().put("type", "OTP").put("otp_type", "COPY_CODE").put("text", "Copy code");
                    default -> list.addObject().put("type", "QUICK_REPLY").put("text", "Reply");
                }
            }
        }
        t.put("language", language);
        t.put("status", status);
        t.put("category", category.toUpperCase(Locale.ROOT));
        t.put("id", id);
        t.putObject("quality_score").put("score", quality);
        return t;
    }
}
