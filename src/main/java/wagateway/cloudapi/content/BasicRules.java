package wagateway.cloudapi.content;

import java.util.Set;
import java.util.regex.Pattern;

import static wagateway.cloudapi.content.CloudApiLimits.DOCUMENT_FILENAME_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.LATITUDE_LIMIT;
import static wagateway.cloudapi.content.CloudApiLimits.LOCATION_ADDRESS_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.LOCATION_NAME_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.LONGITUDE_LIMIT;
import static wagateway.cloudapi.content.CloudApiLimits.MEDIA_CAPTION_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.REACTION_EMOJI_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.TEXT_BODY_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.UNLIMITED;

/** Rules for the simple message types: text, media, location, contacts, reaction. */
final class BasicRules {

    /** cloud-api.md §1: caption exists on image, video and document only. */
    private static final Set<String> CAPTIONED_MEDIA = Set.of("image", "video", "document");

    /** One extended grapheme cluster (JDK regex {@code \X} keeps ZWJ, flag and skin-tone sequences whole). */
    private static final Pattern ONE_GRAPHEME = Pattern.compile("\\X");

    private BasicRules() {
    }

    static void text(Checks c, At text) {
        c.requiredText(text.field("body"), TEXT_BODY_MAX);
        c.optionalBoolean(text.field("preview_url"));
    }

    /** A media message: {@code type} is image, video, audio, document or sticker. */
    static void media(Checks c, At media, String type) {
        mediaSource(c, media);
        At caption = media.field("caption");
        if (CAPTIONED_MEDIA.contains(type)) {
            c.optionalText(caption, MEDIA_CAPTION_MAX);
        } else if (caption.present()) {
            c.invalid(caption, "is not supported on " + type + " messages");
        }
        At filename = media.field("filename");
        if (type.equals("document")) {
            c.optionalText(filename, DOCUMENT_FILENAME_MAX);
        } else if (filename.present()) {
            c.invalid(filename, "is only supported on document messages");
        }
    }

    /**
     * Exactly one of {@code id} (uploaded media) or {@code link} (public HTTPS URL). Also used for
     * interactive media headers and template media parameters, which take the same media object.
     */
    static void mediaSource(Checks c, At media) {
        At id = media.field("id");
        At link = media.field("link");
        if (id.present() && link.present()) {
            // Neither field is wrong on its own, so the object is named.
            c.invalid(media, "must have either id or link, not both");
            return;
        }
        if (link.present()) {
            // cloud-api.md §1: "public HTTPS URL"; Meta does not fetch plain http.
            c.requiredUrl(link, false);
        } else {
            c.requiredText(id, UNLIMITED);
        }
    }

    static void location(Checks c, At location) {
        c.requiredNumberWithin(location.field("latitude"), LATITUDE_LIMIT);
        c.requiredNumberWithin(location.field("longitude"), LONGITUDE_LIMIT);
        c.optionalText(location.field("name"), LOCATION_NAME_MAX);
        c.optionalText(location.field("address"), LOCATION_ADDRESS_MAX);
    }

    /** The items of the {@code contacts} array (its size is checked by the caller). */
    static void contacts(Checks c, At contacts) {
        for (int i = 0; i < contacts.size(); i++) {
            At contact = contacts.item(i);
            if (!c.element(contact)) {
                continue;
            }
            // Kept practical: the card needs a display name; other vCard fields are passed through.
            At name = contact.field("name");
            if (c.container(name)) {
                c.requiredText(name.field("formatted_name"), UNLIMITED);
            }
            At phones = contact.field("phones");
            if (c.optionalArray(phones, 0, UNLIMITED)) {
                for (int j = 0; j < phones.size(); j++) {
                    At phone = phones.item(j);
                    if (c.element(phone)) {
                        c.requiredText(phone.field("phone"), UNLIMITED);
                    }
                }
            }
        }
    }

    static void reaction(Checks c, At reaction) {
        c.requiredText(reaction.field("message_id"), UNLIMITED);
        At emoji = reaction.field("emoji");
        // An empty emoji is how a reaction is removed, so only absence is MISSING.
        if (emoji.absent()) {
            c.missing(emoji);
            return;
        }
        String value = c.optionalText(emoji, REACTION_EMOJI_MAX);
        if (value != null && !value.isEmpty() && !isOneEmoji(value)) {
            c.invalid(emoji, "must be a single emoji, or empty to remove the reaction");
        }
    }

    /**
     * "Emoji-ish": one grapheme that is a pictographic symbol, or is shown as emoji by a variation
     * selector (‼️) or a keycap (1️⃣). Rejects letters, digits, punctuation and two emoji side by side.
     */
    private static boolean isOneEmoji(String value) {
        return ONE_GRAPHEME.matcher(value).matches() && value.codePoints()
                .anyMatch(cp -> Character.getType(cp) == Character.OTHER_SYMBOL
                        || cp == 0xFE0F // emoji presentation selector
                        || cp == 0x20E3); // combining enclosing keycap
    }
}
