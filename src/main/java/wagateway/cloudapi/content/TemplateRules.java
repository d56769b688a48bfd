package wagateway.cloudapi.content;

import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import static wagateway.cloudapi.content.CloudApiLimits.TEMPLATE_BODY_TEXT_PARAMETER_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.TEMPLATE_BUTTON_INDEX_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.TEMPLATE_HEADER_TEXT_PARAMETER_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.TEMPLATE_NAME_MAX;
import static wagateway.cloudapi.content.CloudApiLimits.UNLIMITED;

/**
 * Rules for {@code template} messages: the template's name and language, and the parameters that fill
 * its header, body and buttons. Whether the parameters match the approved template (count, order) is
 * Meta's check (132000), not a shape rule, so it is not done here.
 */
final class TemplateRules {

    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
    /** Meta's language codes: a language ({@code en}, {@code fil}) with an optional region ({@code pt_BR}). */
    private static final Pattern LANGUAGE_CODE = Pattern.compile("[a-z]{2,3}(_[A-Z]{2})?");
    /** ISO 4217 shape; whether the code exists is left to Meta. */
    private static final Pattern CURRENCY_CODE = Pattern.compile("[A-Z]{3}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

    /** Send-time components; footer is fixed text in the approved template, so it is not sent. */
    private static final Set<String> COMPONENT_TYPES = Set.of("header", "body", "button", "carousel", "limited_time_offer");

    private static final Set<String> PARAMETER_TYPES = Set.of("text", "currency", "date_time", "image", "video",
            "document", "location", "payload", "coupon_code", "action");
    /** cloud-api.md §1, template row. */
    private static final Set<String> HEADER_PARAMETERS = Set.of("text", "image", "video", "document", "location");
    private static final Set<String> BODY_PARAMETERS = Set.of("text", "currency", "date_time");
    /** payload: quick_reply, text: url suffix, coupon_code: copy_code, action: flow and catalog buttons. */
    private static final Set<String> BUTTON_PARAMETERS = Set.of("payload", "text", "coupon_code", "action");

    /** Matched case-insensitively, as senders copy the upper-case names of the template management API. */
    private static final Set<String> BUTTON_SUB_TYPES = Set.of("quick_reply", "url", "copy_code", "flow", "catalog");

    /**
     * The older date_time form (still sent by SDKs, see the template fixture) gives the date in these
     * fields; Meta now documents {@code fallback_value} only.
     */
    private static final Set<String> LEGACY_DATE_TIME_FIELDS = Set.of("calendar", "year", "month", "day_of_month",
            "day_of_week", "hour", "minute", "timestamp", "component");

    private TemplateRules() {
    }

    static void template(Checks c, At template) {
        At name = template.field("name");
        String nameValue = c.requiredText(name, TEMPLATE_NAME_MAX);
        if (nameValue != null && !NAME.matcher(nameValue).matches()) {
            c.invalid(name, "must contain only lowercase letters, digits and underscores");
        }

        At language = template.field("language");
        if (c.container(language)) {
            At code = language.field("code");
            String codeValue = c.requiredText(code, UNLIMITED);
            if (codeValue != null && !LANGUAGE_CODE.matcher(codeValue).matches()) {
                c.invalid(code, "must be a language code like en, en_US or pt_BR");
            }
            At policy = language.field("policy");
            if (policy.present()) {
                c.requiredConstant(policy, "deterministic");
            }
        }

        At components = template.field("components");
        if (c.optionalArray(components, 0, UNLIMITED)) {
            for (int i = 0; i < components.size(); i++) {
                component(c, components.item(i));
            }
        }
    }

    private static void component(Checks c, At component) {
        if (!c.element(component)) {
            return;
        }
        String type = c.requiredEnum(component.field("type"), COMPONENT_TYPES, false);
        if (type == null) {
            return;
        }
        At parameters = component.field("parameters");
        switch (type) {
            case "header" -> {
                if (c.optionalArray(parameters, 0, UNLIMITED)) {
                    parameters(c, parameters, HEADER_PARAMETERS, TEMPLATE_HEADER_TEXT_PARAMETER_MAX, type);
                }
            }
            case "body" -> {
                if (c.optionalArray(parameters, 0, UNLIMITED)) {
                    parameters(c, parameters, BODY_PARAMETERS, TEMPLATE_BODY_TEXT_PARAMETER_MAX, type);
                }
            }
            case "button" -> {
                c.requiredEnum(component.field("sub_type"), BUTTON_SUB_TYPES, true);
                buttonIndex(c, component.field("index"));
                if (c.requiredArray(parameters, 1, UNLIMITED)) {
                    parameters(c, parameters, BUTTON_PARAMETERS, UNLIMITED, type);
                }
            }
            default -> {
                // carousel and limited_time_offer carry their own nested shapes (cards, expiration time);
                // they are accepted as they are rather than half-checked.
            }
        }
    }

    /** The button's position in the template, 0-based; Meta documents it as a string, SDKs send numbers. */
    private static void buttonIndex(Checks c, At index) {
        if (index.absent()) {
            c.missing(index);
            return;
        }
        JsonNode node = index.node();
        long value = -1;
        if (node.isIntegralNumber()) {
            value = node.longValue();
        } else if (node.isTextual() && DIGITS.matcher(node.textValue()).matches()) {
            value = Long.parseLong(node.textValue());
        }
        if (value < 0 || value > TEMPLATE_BUTTON_INDEX_MAX) {
            c.invalid(index, "must be 0 to " + TEMPLATE_BUTTON_INDEX_MAX + ", as a number or a string");
        }
    }

    private static void parameters(Checks c, At parameters, Set<String> allowed, int textMax, String component) {
        for (int i = 0; i < parameters.size(); i++) {
            At parameter = parameters.item(i);
            if (c.element(parameter)) {
                parameter(c, parameter, allowed, textMax, component);
            }
        }
    }

    /** Each parameter carries its value in the field named by its type ({@code {type:"text", text:"…"}}). */
    private static void parameter(Checks c, At parameter, Set<String> allowed, int textMax, String component) {
        At typeAt = parameter.field("type");
        String type = c.requiredEnum(typeAt, PARAMETER_TYPES, false);
        if (type == null) {
            return;
        }
        if (!allowed.contains(type)) {
            c.invalid(typeAt, "\"" + type + "\" parameters are not allowed in a " + component + " component");
            return;
        }
        At value = parameter.field(type);
        switch (type) {
            case "text" -> c.requiredText(value, textMax);
            case "payload", "coupon_code" -> c.requiredText(value, UNLIMITED);
            case "action" -> c.requiredObject(value);
            case "currency" -> {
                if (c.container(value)) {
                    currency(c, value);
                }
            }
            case "date_time" -> {
                if (c.container(value)) {
                    dateTime(c, value);
                }
            }
            case "location" -> {
                if (c.container(value)) {
                    BasicRules.location(c, value);
                }
            }
            default -> { // image, video, document
                if (c.container(value)) {
                    BasicRules.mediaSource(c, value);
                }
            }
        }
    }

    private static void currency(Checks c, At currency) {
        c.requiredText(currency.field("fallback_value"), UNLIMITED);
        At code = currency.field("code");
        String codeValue = c.requiredText(code, UNLIMITED);
        if (codeValue != null && !CURRENCY_CODE.matcher(codeValue).matches()) {
            c.invalid(code, "must be an ISO 4217 code of three capital letters, like USD");
        }
        At amount = currency.field("amount_1000");
        if (amount.absent()) {
            c.missing(amount);
        } else if (!amount.node().isIntegralNumber()) {
            c.invalid(amount, "must be an integer: the amount multiplied by 1000");
        }
    }

    private static void dateTime(Checks c, At dateTime) {
        At fallback = dateTime.field("fallback_value");
        boolean legacy = LEGACY_DATE_TIME_FIELDS.stream().anyMatch(field -> dateTime.field(field).present());
        if (legacy) {
            c.optionalText(fallback, UNLIMITED);
        } else {
            c.requiredText(fallback, UNLIMITED);
        }
    }
}
