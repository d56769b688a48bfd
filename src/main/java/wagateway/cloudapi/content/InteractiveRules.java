package wagateway.cloudapi.content;

import java.util.HashSet;
import java.util.Set;

import static wagateway.cloudapi.content.CloudApiLimits.CTA_DISPLAY_TEXT_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.INTERACTIVE_BODY_TEXT_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.INTERACTIVE_FOOTER_TEXT_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.INTERACTIVE_HEADER_TEXT_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.LIST_BUTTON_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.LIST_ROWS_TOTAL_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.LIST_ROW_DESCRIPTION_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.LIST_ROW_ID_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.LIST_ROW_TITLE_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.LIST_SECTIONS_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.LIST_SECTION_TITLE_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.REPLY_BUTTONS_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.REPLY_BUTTON_ID_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.REPLY_BUTTON_TITLE_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.UNLIMITED;

/** Rules for {@code interactive} messages of kind button, list and cta_url. */
final class InteractiveRules {

    /**
     * Meta documents these in lower case, but SDKs send upper case (the Java SDK behind the
     * send-request fixtures writes "BUTTON"/"LIST"), so the kind is matched case-insensitively.
     */
    private static final Set<String> KINDS = Set.of("button", "list", "cta_url");

    private static final Set<String> HEADER_TYPES = Set.of("text", "image", "video", "document");

    private InteractiveRules() {
    }

    static void interactive(Checks c, At interactive) {
        String kind = c.requiredEnum(interactive.field("type"), KINDS, true);

        At body = interactive.field("body");
        if (c.container(body)) {
            c.requiredText(body.field("text"), INTERACTIVE_BODY_TEXT_MAX);
        }
        At footer = interactive.field("footer");
        if (c.optionalObject(footer)) {
            c.requiredText(footer.field("text"), INTERACTIVE_FOOTER_TEXT_MAX);
        }
        At header = interactive.field("header");
        if (c.optionalObject(header)) {
            header(c, header, kind);
        }

        At action = interactive.field("action");
        if (kind == null || !c.container(action)) {
            return;
        }
        switch (kind) {
            case "button" -> buttons(c, action.field("buttons"));
            case "list" -> list(c, action);
            default -> ctaUrl(c, action);
        }
    }

    private static void header(Checks c, At header, String kind) {
        At typeAt = header.field("type");
        String type = c.requiredEnum(typeAt, HEADER_TYPES, false);
        if (type == null) {
            return;
        }
        if (type.equals("text")) {
            c.requiredText(header.field("text"), INTERACTIVE_HEADER_TEXT_MAX);
            return;
        }
        // Meta's HeaderObject: list messages take a text header only (WhatsApp-Nodejs-SDK
        // api-reference/types/HeaderObject); media headers are for reply buttons and cta_url.
        if ("list".equals(kind)) {
            c.invalid(typeAt, "list messages support only a text header");
            return;
        }
        At media = header.field(type);
        if (c.container(media)) {
            BasicRules.mediaSource(c, media);
        }
    }

    private static void buttons(Checks c, At buttons) {
        if (!c.requiredArray(buttons, 1, REPLY_BUTTONS_MAX)) {
            return;
        }
        // The user taps a title and the business gets the id back: both must tell buttons apart.
        Set<String> ids = new HashSet<>();
        Set<String> titles = new HashSet<>();
        for (int i = 0; i < buttons.size(); i++) {
            At button = buttons.item(i);
            if (!c.element(button)) {
                continue;
            }
            c.requiredConstant(button.field("type"), "reply");
            At reply = button.field("reply");
            if (!c.container(reply)) {
                continue;
            }
            unique(c, reply.field("id"), c.requiredText(reply.field("id"), REPLY_BUTTON_ID_MAX), ids, "button id");
            unique(c, reply.field("title"), c.requiredText(reply.field("title"), REPLY_BUTTON_TITLE_MAX), titles,
                    "button title");
        }
    }

    private static void list(Checks c, At action) {
        c.requiredText(action.field("button"), LIST_BUTTON_MAX);
        At sections = action.field("sections");
        if (!c.requiredArray(sections, 1, LIST_SECTIONS_MAX)) {
            return;
        }
        boolean titlesRequired = sections.size() > 1;
        Set<String> rowIds = new HashSet<>();
        int rowCount = 0;
        for (int i = 0; i < sections.size(); i++) {
            At section = sections.item(i);
            if (!c.element(section)) {
                continue;
            }
            At title = section.field("title");
            if (titlesRequired) {
                c.requiredText(title, LIST_SECTION_TITLE_MAX);
            } else {
                c.optionalText(title, LIST_SECTION_TITLE_MAX);
            }
            At rows = section.field("rows");
            if (!c.requiredArray(rows, 1, UNLIMITED)) {
                continue;
            }
            for (int j = 0; j < rows.size(); j++) {
                At row = rows.item(j);
                if (++rowCount == LIST_ROWS_TOTAL_MAX + 1) {
                    c.invalid(row, "a list may have at most " + LIST_ROWS_TOTAL_MAX + " rows across all sections");
                }
                if (c.element(row)) {
                    row(c, row, rowIds);
                }
            }
        }
    }

    private static void row(Checks c, At row, Set<String> rowIds) {
        // Row ids come back in the list_reply webhook, so they must be unique across the whole list.
        unique(c, row.field("id"), c.requiredText(row.field("id"), LIST_ROW_ID_MAX), rowIds, "row id");
        c.requiredText(row.field("title"), LIST_ROW_TITLE_MAX);
        c.optionalText(row.field("description"), LIST_ROW_DESCRIPTION_MAX);
    }

    private static void ctaUrl(Checks c, At action) {
        c.requiredConstant(action.field("name"), "cta_url");
        At parameters = action.field("parameters");
        if (c.container(parameters)) {
            c.requiredText(parameters.field("display_text"), CTA_DISPLAY_TEXT_MAX);
            // The button opens a web page in the user's browser, so plain http is allowed here.
            c.requiredUrl(parameters.field("url"), true);
        }
    }

    /** Reports a repeated value at its later occurrence; {@code value} is null when already reported. */
    private static void unique(Checks c, At at, String value, Set<String> seen, String what) {
        if (value != null && !seen.add(value)) {
            c.invalid(at, "duplicate " + what + " \"" + value + "\"");
        }
    }
}
