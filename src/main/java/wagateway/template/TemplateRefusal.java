package wagateway.template;

/**
 * A template send the catalogue refuses: one of the public 422 reasons, the JSON path at fault and why.
 */
public record TemplateRefusal(String reason, String field, String detail) {

    public static final String UNKNOWN = "template_unknown";
    public static final String LANGUAGE = "template_language";
    public static final String NOT_APPROVED = "template_not_approved";
    /** At send: the template is paused until a known time; the message waits for it, or expires waiting. */
    public static final String PAUSED = "template_paused";
    public static final String PARAMETERS = "template_parameters";
    public static final String CATEGORY_MISMATCH = "template_category_mismatch";
}
