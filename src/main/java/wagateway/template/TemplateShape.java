package wagateway.template;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a send of one template must give, read from Meta's component definitions: the header's format (and a
 * text header's one variable), the body's variables ({@code {{1}}}… positional, {@code {{first_name}}}… named),
 * and the buttons that take a parameter, by index.
 *
 * @param headerFormat null (no header), TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION
 * @param headerParameters parameters the header takes: 1 for a media or location header or a text header with a
 *        variable, else 0
 * @param bodyParameters how many body variables there are
 * @param bodyNames the named body variables in order (empty for a positional template)
 * @param buttons every button in order, with the send-time {@code sub_type} it takes when it needs a parameter
 */
@RegisterForReflection
public record TemplateShape(String headerFormat, int headerParameters, int bodyParameters, List<String> bodyNames,
        List<Button> buttons) {

    private static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_]+)\\s*}}");

    /**
     * One button of the template.
     *
     * @param index 0-based position
     * @param type Meta's button type (QUICK_REPLY, URL, COPY_CODE, OTP, FLOW, PHONE_NUMBER…)
     * @param subType the {@code sub_type} a send gives for it, or null when a send gives nothing for it
     * @param required whether a send must give a parameter for it
     */
    @RegisterForReflection
    public record Button(int index, String type, String subType, boolean required) {
    }

    public boolean named() {
        return !bodyNames.isEmpty();
    }

    static TemplateShape of(JsonNode components) {
        String headerFormat = null;
        int headerParameters = 0;
        int bodyParameters = 0;
        List<String> bodyNames = List.of();
        List<Button> buttons = new ArrayList<>();
        for (JsonNode component : components) {
            String type = component.path("type").asText("").toUpperCase(Locale.ROOT);
            switch (type) {
                case "HEADER" -> {
                    headerFormat = component.path("format").asText("TEXT").toUpperCase(Locale.ROOT);
                    headerParameters = "TEXT".equals(headerFormat)
                            ? Math.min(1, variables(component.path("text").asText("")).size())
                            : 1;
                }
                case "BODY" -> {
                    Set<String> variables = variables(component.path("text").asText(""));
                    bodyParameters = variables.size();
                    boolean positional = variables.stream().allMatch(v -> v.chars().allMatch(Character::isDigit));
                    bodyNames = positional ? List.of() : List.copyOf(variables);
                }
                case "BUTTONS" -> {
                    int index = 0;
                    for (JsonNode button : component.path("buttons")) {
                        buttons.add(button(index++, button));
                    }
                }
                default -> {
                    // FOOTER is fixed text; carousels and limited-time offers are not checked here
                }
            }
        }
        return new TemplateShape(headerFormat, headerParameters, bodyParameters, bodyNames, List.copyOf(buttons));
    }

    private static Button button(int index, JsonNode button) {
        String type = button.path("type").asText("").toUpperCase(Locale.ROOT);
        return switch (type) {
            // an authentication copy-code or one-tap button is sent as a url button carrying the code
            case "OTP" -> new Button(index, type, "url", true);
            case "COPY_CODE" -> new Button(index, type, "copy_code", true);
            case "URL" -> new Button(index, type, "url", !variables(button.path("url").asText("")).isEmpty());
            case "QUICK_REPLY" -> new Button(index, type, "quick_reply", false);
            case "FLOW" -> new Button(index, type, "flow", false);
            case "CATALOG", "MPM" -> new Button(index, type, "catalog", false);
            default -> new Button(index, type, null, false);
        };
    }

    private static Set<String> variables(String text) {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
