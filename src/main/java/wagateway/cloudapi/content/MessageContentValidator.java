package wagateway.cloudapi.content;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import static wagateway.cloudapi.content.CloudApiLimits.CONTACTS_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.UNLIMITED;

/**
 * The Cloud API's rules and limits for a message body (../shared/reference/cloud-api.md §1), used at
 * the gateway's edge (so a bad request never reaches the queue) and by the sandbox (so it answers like
 * Meta). Pure: no I/O, no CDI.
 *
 * <p>
 * Conventions of the result: a field that is absent (or JSON {@code null}) is MISSING; a field that is
 * present but breaks a rule is INVALID. When an object that is needed only for its fields is absent
 * ({@code interactive.body}), the missing field inside it is named ({@code interactive.body.text}); the
 * object named by {@code type} is the exception and is reported itself ({@code text}). Unknown fields are
 * ignored, as Meta adds fields often.
 */
public final class MessageContentValidator {

    private static final Set<String> TYPES = Set.of("text", "image", "video", "audio", "document", "sticker",
            "location", "contacts", "interactive", "template", "reaction");

    private MessageContentValidator() {
    }

    /**
     * @param message an object with {@code type} and the object named by it (plus optional
     *        {@code context}); other top-level fields are ignored
     * @return every violation found, empty when valid
     */
    public static List<ContentViolation> validate(JsonNode message) {
        Checks c = new Checks();
        At root = At.root(message);
        String type = c.requiredEnum(root.field("type"), TYPES, false);
        if (type != null) {
            content(c, type, root.field(type));
        }
        At context = root.field("context");
        if (c.optionalObject(context)) {
            c.requiredText(context.field("message_id"), UNLIMITED);
        }
        return c.violations();
    }

    private static void content(Checks c, String type, At content) {
        if (type.equals("contacts")) {
            if (c.requiredArray(content, 1, CONTACTS_MAX)) {
                BasicRules.contacts(c, content);
            }
            return;
        }
        if (!c.requiredObject(content)) {
            return;
        }
        switch (type) {
            case "text" -> BasicRules.text(c, content);
            case "location" -> BasicRules.location(c, content);
            case "reaction" -> BasicRules.reaction(c, content);
            case "interactive" -> InteractiveRules.interactive(c, content);
            case "template" -> TemplateRules.template(c, content);
            default -> BasicRules.media(c, content, type); // image, video, audio, document, sticker
        }
    }
}
