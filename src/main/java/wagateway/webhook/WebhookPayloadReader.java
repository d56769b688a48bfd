package wagateway.webhook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import wagateway.cloudapi.webhook.InboundMessage;
import wagateway.cloudapi.webhook.StatusUpdate;
import wagateway.cloudapi.webhook.TemplateChange;
import wagateway.cloudapi.webhook.UserPreference;
import wagateway.cloudapi.webhook.WebhookBatch;
import wagateway.cloudapi.webhook.WebhookError;

import static wagateway.cloudapi.webhook.MetaJson.epochSeconds;
import static wagateway.cloudapi.webhook.MetaJson.object;
import static wagateway.cloudapi.webhook.MetaJson.text;

/**
 * Reads Meta's webhook envelope into a {@link WebhookBatch}. Every level is an array (entries, changes,
 * statuses, messages, errors), so all of them are walked; anything unknown or malformed is skipped, never
 * thrown on. Pure: no I/O, no CDI.
 */
public final class WebhookPayloadReader {

    private WebhookPayloadReader() {
    }

    /** Reads {@code root}, whose NUL characters it first replaces ({@link NulCharacters}). */
    public static WebhookBatch read(JsonNode root) {
        NulCharacters.replaceIn(root);
        List<StatusUpdate> statuses = new ArrayList<>();
        List<InboundMessage> messages = new ArrayList<>();
        List<UserPreference> preferences = new ArrayList<>();
        List<WebhookError> errors = new ArrayList<>();
        List<TemplateChange> templates = new ArrayList<>();
        for (JsonNode entry : root.path("entry")) {
            for (JsonNode change : entry.path("changes")) {
                JsonNode value = change.path("value");
                if (!value.isObject()) {
                    continue;
                }
                TemplateChange template = template(text(entry, "id"), text(change, "field"), value);
                if (template != null) {
                    templates.add(template);
                    continue;
                }
                String phoneNumberId = text(value.path("metadata"), "phone_number_id");
                JsonNode contacts = value.path("contacts");
                for (JsonNode status : value.path("statuses")) {
                    if (status.isObject()) {
                        statuses.add(StatusUpdate.of((ObjectNode) status));
                    }
                }
                for (JsonNode message : value.path("messages")) {
                    if (message.isObject()) {
                        messages.add(inbound((ObjectNode) message, contacts, phoneNumberId));
                    }
                }
                for (JsonNode preference : value.path("user_preferences")) {
                    if (preference.isObject()) {
                        preferences.add(preference(preference, contacts));
                    }
                }
                for (JsonNode error : value.path("errors")) {
                    if (error.isObject()) {
                        errors.add(WebhookError.of(error));
                    }
                }
            }
        }
        return new WebhookBatch(statuses, messages, preferences, errors, templates);
    }

    /**
     * A template webhook's change, or null when the change is not one (or lacks the account, name or language).
     * Meta has sent quality updates under the status field too, so the value's fields decide, not only the field.
     */
    static TemplateChange template(String wabaId, String field, JsonNode value) {
        String name = text(value, "message_template_name");
        String language = text(value, "message_template_language");
        if (wabaId == null || name == null || language == null) {
            return null;
        }
        language = language.replace('-', '_');
        String newQuality = text(value, "new_quality_score");
        if ("message_template_quality_update".equals(field) || newQuality != null) {
            return newQuality == null ? null
                    : new TemplateChange(wabaId, "message_template_quality_update", name, language, null, null, null,
                            newQuality.toUpperCase(Locale.ROOT), null);
        }
        if ("template_category_update".equals(field)) {
            // an impending change (correct_category, no previous_category) changes nothing yet
            String category = value.has("previous_category") ? text(value, "new_category") : null;
            return category == null ? null
                    : new TemplateChange(wabaId, field, name, language, null, null, category.toLowerCase(Locale.ROOT),
                            null, null);
        }
        if ("message_template_status_update".equals(field)) {
            String event = text(value, "event");
            return event == null ? null
                    : new TemplateChange(wabaId, field, name, language, event.toUpperCase(Locale.ROOT),
                            text(value, "reason"), null, null, pause(value.path("other_info")));
        }
        return null;
    }

    /**
     * How long a PAUSED webhook's pause lasts. Meta's {@code other_info} names it: {@code title} FIRST_PAUSE or
     * SECOND_PAUSE (3 and 6 hours by Meta's template pausing rules), and a {@code description} such as "paused for 6
     * hours until Aug 31 at 12:47 AM UTC"; the hours in the description win when given. Null when neither says.
     */
    static Duration pause(JsonNode otherInfo) {
        Matcher hours = PAUSE_HOURS.matcher(otherInfo.path("description").asText(""));
        if (hours.find()) {
            return Duration.ofHours(Long.parseLong(hours.group(1)));
        }
        return switch (otherInfo.path("title").asText("")) {
            case "FIRST_PAUSE" -> Duration.ofHours(3);
            case "SECOND_PAUSE" -> Duration.ofHours(6);
            default -> null;
        };
    }

    private static final Pattern PAUSE_HOURS = Pattern.compile("paused for (\\d{1,3}) hours?");

    private static InboundMessage inbound(ObjectNode message, JsonNode contacts, String phoneNumberId) {
        String from = text(message, "from");
        String userId = text(message, "from_user_id");
        JsonNode contact = contactFor(contacts, from, userId);
        if (userId == null) {
            userId = text(contact, "user_id");
        }
        String type = text(message, "type");
        JsonNode content = type == null ? null : message.get(type);
        return new InboundMessage(text(message, "id"), from, userId, text(contact.path("profile"), "name"),
                text(contact.path("profile"), "username"),
                type == null ? "unknown" : type, epochSeconds(message, "timestamp"), object(message, "context"),
                object(message, "referral"), content, message, phoneNumberId);
    }

    private static UserPreference preference(JsonNode preference, JsonNode contacts) {
        String waId = text(preference, "wa_id");
        JsonNode contact = contactFor(contacts, waId, text(preference, "user_id"));
        if (waId == null) {
            waId = text(contact, "wa_id");
        }
        String userId = text(preference, "user_id");
        if (userId == null && waId != null && waId.equals(text(contact, "wa_id"))) {
            userId = text(contact, "user_id");
        }
        return new UserPreference(waId, userId, text(preference, "category"), text(preference, "value"),
                epochSeconds(preference, "timestamp"), text(preference, "detail"));
    }

    /**
     * The {@code contacts[]} entry of this wa_id, else of this user id (a username-only customer comes with an empty
     * wa_id); the only one when there is a single entry; else an empty node.
     */
    private static JsonNode contactFor(JsonNode contacts, String waId, String userId) {
        if (!contacts.isArray() || contacts.isEmpty()) {
            return MissingNode.getInstance();
        }
        for (JsonNode contact : contacts) {
            if (waId != null && waId.equals(text(contact, "wa_id"))) {
                return contact;
            }
        }
        for (JsonNode contact : contacts) {
            if (userId != null && userId.equals(text(contact, "user_id"))) {
                return contact;
            }
        }
        return contacts.size() == 1 ? contacts.get(0) : MissingNode.getInstance();
    }

}
