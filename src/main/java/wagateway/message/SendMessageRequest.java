package wagateway.message;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code POST /v1/messages}: the Cloud API message content (the object named by {@code type}) plus the
 * gateway's envelope (spec §2). Content objects stay JSON so they reach the Cloud API exactly as given
 * and are checked by the same rules the sandbox applies ({@code MessageContentValidator}).
 */
@RegisterForReflection
@Schema(description = "A message to send: the Cloud API content object named by `type`, plus the gateway envelope")
public record SendMessageRequest(
        @Schema(description = "Recipient, E.164", example = "+5511987654321") String to,
        @Schema(description = "Sender name from gateway.senders; the default sender when absent") String from,
        @Schema(description = "Cloud API message type", example = "text") String type,
        JsonNode text,
        JsonNode image,
        JsonNode video,
        JsonNode audio,
        JsonNode document,
        JsonNode sticker,
        JsonNode location,
        JsonNode contacts,
        JsonNode interactive,
        JsonNode template,
        JsonNode reaction,
        @Schema(description = "wamid of the message this replies to (Cloud API context)") String replyTo,
        @Schema(description = "utility, marketing, authentication or service; templates need one") String category,
        @Schema(description = "Hold until this instant") OffsetDateTime sendAt,
        @Schema(description = "Not sent after this instant; ends as expired") OffsetDateTime expiresAt,
        @Schema(description = "Alternative to expiresAt: ISO-8601 duration from acceptance", example = "PT10M") Duration ttl,
        @Schema(description = "high, normal (default) or low") String priority,
        @Schema(description = "Where status events for this message are POSTed") String callbackUrl,
        @Schema(description = "Template sent instead when a free-form message finds the window closed") JsonNode fallbackTemplate,
        @Schema(description = "Up to 16 string pairs, echoed in every event") Map<String, String> metadata) {

    /** The Cloud API content object named by {@code type}, or null. */
    public JsonNode content() {
        if (type == null) {
            return null;
        }
        return switch (type) {
            case "text" -> text;
            case "image" -> image;
            case "video" -> video;
            case "audio" -> audio;
            case "document" -> document;
            case "sticker" -> sticker;
            case "location" -> location;
            case "contacts" -> contacts;
            case "interactive" -> interactive;
            case "template" -> template;
            case "reaction" -> reaction;
            default -> null;
        };
    }

    /** Names of the content objects present, to refuse a body that carries two. */
    public List<String> presentContentFields() {
        List<String> present = new ArrayList<>();
        Map<String, JsonNode> all = new LinkedHashMap<>();
        all.put("text", text);
        all.put("image", image);
        all.put("video", video);
        all.put("audio", audio);
        all.put("document", document);
        all.put("sticker", sticker);
        all.put("location", location);
        all.put("contacts", contacts);
        all.put("interactive", interactive);
        all.put("template", template);
        all.put("reaction", reaction);
        all.forEach((name, node) -> {
            if (node != null && !node.isNull()) {
                present.add(name);
            }
        });
        return present;
    }
}
