package wagateway.cloudapi.content;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Cloud API's rules and limits for a message body (../shared/reference/cloud-api.md §1), used at
 * the gateway's edge (so a bad request never reaches the queue) and by the sandbox (so it answers like
 * Meta). Pure: no I/O, no CDI.
 */
public final class MessageContentValidator {

    private MessageContentValidator() {
    }

    /**
     * @param message an object with {@code type} and the object named by it (plus optional
     *                {@code context}); other top-level fields are ignored
     * @return every violation found, empty when valid
     */
    public static List<ContentViolation> validate(JsonNode message) {
        List<ContentViolation> violations = new ArrayList<>();
        // TODO(helper): full rules per type
        if (message == null || !message.hasNonNull("type")) {
            violations.add(ContentViolation.missing("type"));
        }
        return violations;
    }
}
