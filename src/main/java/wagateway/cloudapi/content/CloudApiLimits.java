package wagateway.cloudapi.content;

/**
 * The Cloud API's size limits for message bodies. Lengths are counted in Unicode code points (an
 * emoji is one character, not two UTF-16 units). Unless marked otherwise, each value is from
 * ../shared/reference/cloud-api.md §1 ("Body shapes per type"). Values marked "team rule" come from the
 * validator brief and Meta's public docs but are not yet recorded in cloud-api.md: verify them there.
 */
final class CloudApiLimits {

    private CloudApiLimits() {
    }

    /** No length limit on this field. */
    static final int UNLIMITED = Integer.MAX_VALUE;

    // text
    static final int TEXT_BODY_MAX = 4096;

    // media: image, video, audio, document, sticker
    static final int MEDIA_CAPTION_MAX = 1024;
    /** team rule */
    static final int DOCUMENT_FILENAME_MAX = 240;

    // location
    static final double LATITUDE_LIMIT = 90;
    static final double LONGITUDE_LIMIT = 180;
    /** team rule */
    static final int LOCATION_NAME_MAX = 1000;
    /** team rule */
    static final int LOCATION_ADDRESS_MAX = 1000;

    // contacts
    /** team rule */
    static final int CONTACTS_MAX = 257;

    // reaction
    /** team rule: an emoji grapheme can be a long sequence (family, flag with tags, skin tones) */
    static final int REACTION_EMOJI_MAX = 10;

    // interactive: all kinds
    static final int INTERACTIVE_BODY_TEXT_MAX = 1024;
    static final int INTERACTIVE_FOOTER_TEXT_MAX = 60;
    static final int INTERACTIVE_HEADER_TEXT_MAX = 60;

    // interactive button
    static final int REPLY_BUTTONS_MAX = 3;
    static final int REPLY_BUTTON_ID_MAX = 256;
    static final int REPLY_BUTTON_TITLE_MAX = 20;

    // interactive list
    static final int LIST_BUTTON_MAX = 20;
    static final int LIST_SECTIONS_MAX = 10;
    static final int LIST_SECTION_TITLE_MAX = 24;
    /** Across all sections together, not per section (cloud-api.md: "be stricter" than whatsapp-api-js). */
    static final int LIST_ROWS_TOTAL_MAX = 10;
    static final int LIST_ROW_ID_MAX = 200;
    static final int LIST_ROW_TITLE_MAX = 24;
    static final int LIST_ROW_DESCRIPTION_MAX = 72;

    // interactive cta_url
    static final int CTA_DISPLAY_TEXT_MAX = 20;

    // template (all team rules)
    static final int TEMPLATE_NAME_MAX = 512;
    static final int TEMPLATE_BODY_TEXT_PARAMETER_MAX = 32768;
    static final int TEMPLATE_HEADER_TEXT_PARAMETER_MAX = 60;
    static final int TEMPLATE_BUTTON_INDEX_MAX = 9;
}
