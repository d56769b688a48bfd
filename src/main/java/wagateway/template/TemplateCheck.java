package wagateway.template;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks a send's {@code template} object against the account's catalogue: the template exists, in that language,
 * is approved, and the send gives exactly the parameters its definition takes. Pure: the caller looked the
 * catalogue up in memory. The shape of the object was checked before ({@code cloudapi.content}).
 */
public final class TemplateCheck {

    private TemplateCheck() {
    }

    /**
     * @param path the JSON path of the template object in the request ({@code template}, {@code fallbackTemplate})
     * @return the first refusal, or null when the send matches the catalogue
     */
    public static TemplateRefusal check(AccountTemplates catalog, JsonNode template, String path) {
        String name = template.path("name").asText(null);
        String language = template.path("language").path("code").asText(null);
        if (name == null || language == null) {
            return null; // a shape error, reported by the content rules
        }
        List<String> languages = catalog.languages(name);
        if (languages.isEmpty()) {
            return new TemplateRefusal(TemplateRefusal.UNKNOWN, path + ".name", "account " + catalog.wabaId()
                    + " has no template named '" + name + "'");
        }
        TemplateFacts facts = catalog.find(name, language);
        if (facts == null) {
            return new TemplateRefusal(TemplateRefusal.LANGUAGE, path + ".language.code", "template '" + name
                    + "' does not exist in " + language + "; it exists in " + String.join(", ", languages));
        }
        if (!facts.approved()) {
            return new TemplateRefusal(TemplateRefusal.NOT_APPROVED, path + ".name", "template '" + name + "' ("
                    + language + ") is " + facts.status() + ", not APPROVED");
        }
        return parameters(facts.shape(), template.path("components"), path);
    }

    static TemplateRefusal parameters(TemplateShape shape, JsonNode components, String path) {
        JsonNode header = null;
        JsonNode body = null;
        int headerIndex = -1;
        int bodyIndex = -1;
        List<Integer> buttonIndexes = new ArrayList<>();
        for (int i = 0; i < components.size(); i++) {
            String type = components.get(i).path("type").asText("").toLowerCase(Locale.ROOT);
            switch (type) {
                case "header" -> {
                    header = components.get(i);
                    headerIndex = i;
                }
                case "body" -> {
                    body = components.get(i);
                    bodyIndex = i;
                }
                case "button" -> buttonIndexes.add(i);
                default -> {
                }
            }
        }
        TemplateRefusal refusal = header(shape, header, at(path, headerIndex));
        if (refusal == null) {
            refusal = body(shape, body, at(path, bodyIndex));
        }
        if (refusal == null) {
            refusal = buttons(shape, components, buttonIndexes, path);
        }
        return refusal;
    }

    private static String at(String path, int index) {
        return index < 0 ? path + ".components" : path + ".components[" + index + "]";
    }

    private static TemplateRefusal header(TemplateShape shape, JsonNode header, String at) {
        JsonNode parameters = header == null ? null : header.path("parameters");
        int given = parameters == null ? 0 : parameters.size();
        if (given != shape.headerParameters()) {
            return new TemplateRefusal(TemplateRefusal.PARAMETERS, at, "the template's header takes "
                    + shape.headerParameters() + " parameter(s)"
                    + (shape.headerFormat() == null ? " (it has no header)" : " (" + shape.headerFormat() + ")")
                    + "; the send gives " + given);
        }
        if (given == 1) {
            String expected = shape.headerFormat().toLowerCase(Locale.ROOT);
            String type = parameters.get(0).path("type").asText("");
            if (!expected.equals(type)) {
                return new TemplateRefusal(TemplateRefusal.PARAMETERS, at + ".parameters[0].type",
                        "the template's header is " + shape.headerFormat() + ": its parameter must be of type "
                                + expected + ", not " + type);
            }
        }
        return null;
    }

    private static TemplateRefusal body(TemplateShape shape, JsonNode body, String at) {
        JsonNode parameters = body == null ? null : body.path("parameters");
        int given = parameters == null ? 0 : parameters.size();
        if (given != shape.bodyParameters()) {
            return new TemplateRefusal(TemplateRefusal.PARAMETERS, given == 0 ? at : at + ".parameters",
                    "the template's body takes " + shape.bodyParameters() + " parameter(s); the send gives " + given);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < given; i++) {
            JsonNode name = parameters.get(i).get("parameter_name");
            if (shape.named() && (name == null || !shape.bodyNames().contains(name.asText()))) {
                return new TemplateRefusal(TemplateRefusal.PARAMETERS, at + ".parameters[" + i + "].parameter_name",
                        "the template's body takes named parameters: " + String.join(", ", shape.bodyNames()));
            }
            if (!shape.named() && name != null) {
                return new TemplateRefusal(TemplateRefusal.PARAMETERS, at + ".parameters[" + i + "].parameter_name",
                        "the template's body takes positional parameters ({{1}}, {{2}}…), without parameter_name");
            }
            if (name != null && !names.add(name.asText())) {
                return new TemplateRefusal(TemplateRefusal.PARAMETERS, at + ".parameters[" + i + "].parameter_name",
                        "'" + name.asText() + "' is given twice");
            }
        }
        return null;
    }

    private static TemplateRefusal buttons(TemplateShape shape, JsonNode components, List<Integer> buttonIndexes,
            String path) {
        Set<Integer> given = new HashSet<>();
        for (int i : buttonIndexes) {
            JsonNode component = components.get(i);
            String at = path + ".components[" + i + "]";
            int index = component.path("index").asInt(-1);
            if (index < 0 || index >= shape.buttons().size()) {
                return new TemplateRefusal(TemplateRefusal.PARAMETERS, at + ".index", "the template has "
                        + shape.buttons().size() + " button(s); there is no button " + component.path("index").asText());
            }
            TemplateShape.Button button = shape.buttons().get(index);
            String subType = component.path("sub_type").asText("").toLowerCase(Locale.ROOT);
            if (button.subType() == null || !button.subType().equals(subType)) {
                return new TemplateRefusal(TemplateRefusal.PARAMETERS, at + ".sub_type", "button " + index
                        + " of the template is " + button.type()
                        + (button.subType() == null ? ", which takes no parameter" : ": its sub_type is " + button.subType()));
            }
            if (!given.add(index)) {
                return new TemplateRefusal(TemplateRefusal.PARAMETERS, at + ".index", "button " + index + " is given twice");
            }
        }
        for (TemplateShape.Button button : shape.buttons()) {
            if (button.required() && !given.contains(button.index())) {
                return new TemplateRefusal(TemplateRefusal.PARAMETERS, path + ".components", "button " + button.index()
                        + " (" + button.type() + ") needs a parameter: give a button component with index "
                        + button.index() + " and sub_type " + button.subType());
            }
        }
        return null;
    }
}
