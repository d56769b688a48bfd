package wagateway.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem document ({@code application/problem+json}). Extension members (such as
 * {@code reason}) go in {@link #extensions()} and are written at the top level.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "type", "title", "status", "detail", "instance", "errors" })
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "urn:wagateway:problem:";

    private final String type;
    private final String title;
    private final int status;
    private final String detail;
    private final List<FieldError> errors;
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    public Problem(String slug, String title, int status, String detail, List<FieldError> errors) {
        this.type = slug == null ? "about:blank" : TYPE_BASE + slug;
        this.title = title;
        this.status = status;
        this.detail = detail;
        this.errors = errors == null || errors.isEmpty() ? null : List.copyOf(errors);
    }

    public static Problem of(String slug, String title, int status, String detail) {
        return new Problem(slug, title, status, detail, null);
    }

    public Problem with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    public String getType() {
        return type;
    }

    public String getTitle() {
        return title;
    }

    public int getStatus() {
        return status;
    }

    public String getDetail() {
        return detail;
    }

    public List<FieldError> getErrors() {
        return errors;
    }

    @JsonAnyGetter
    public Map<String, Object> extensions() {
        return extensions;
    }

    /** One violated rule, with the JSON path of the offending field ({@code interactive.action.buttons[3]}). */
    @RegisterForReflection
    public record FieldError(String field, String message) {
    }
}
