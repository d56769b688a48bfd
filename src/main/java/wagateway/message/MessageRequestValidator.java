package wagateway.message;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import wagateway.cloudapi.content.ContentViolation;
import wagateway.cloudapi.content.MessageContentValidator;
import wagateway.config.GatewayConfig;
import wagateway.support.CustomerIds;
import wagateway.support.Ids;
import wagateway.support.PhoneNumbers;
import wagateway.template.AccountTemplates;
import wagateway.template.TemplateCatalog;
import wagateway.template.TemplateCheck;
import wagateway.template.TemplateFacts;
import wagateway.template.TemplateRefusal;
import wagateway.web.Problem.FieldError;

/**
 * Checks a send request at the edge, so that a bad request never reaches the queue: the envelope
 * (spec §2) here, the content with the Cloud API's own rules. Every violation is reported with the
 * JSON path of its field, all at once.
 */
@ApplicationScoped
public class MessageRequestValidator {

    static final Set<String> CATEGORIES = Set.of("utility", "marketing", "authentication", "service");
    static final Set<String> TEMPLATE_CATEGORIES = Set.of("utility", "marketing", "authentication");
    static final int MAX_METADATA_PAIRS = 16;
    static final int MAX_METADATA_KEY = 64;
    static final int MAX_METADATA_VALUE = 512;
    static final int MAX_REPLY_TO = 256;
    static final int MAX_CALLBACK_URL = 2048;
    /** 422 reason: a callbackUrl where per-message callback URLs are switched off. */
    public static final String CALLBACK_URLS_OFF = "callback_url_not_accepted";
    /** 422 reason: a callbackUrl whose host is (or resolves to) a loopback, private, link-local… address. */
    public static final String CALLBACK_ADDRESS_NOT_ALLOWED = "callback_address_not_allowed";
    static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(30);
    /** The longest a message may wait to be sent once due: past it, no business still wants it sent. */
    static final Duration MAX_TTL = Duration.ofDays(30);
    /** A sendAt this far back is a mistake, not clock skew (and beyond PostgreSQL's range, a 500). */
    static final Duration MAX_SEND_AT_PAST = Duration.ofDays(1);

    private final GatewayConfig config;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final TemplateCatalog templates;

    /** Without a template catalogue: every template is checked by shape and static category only. */
    MessageRequestValidator(GatewayConfig config, Clock clock, ObjectMapper mapper) {
        this(config, clock, mapper, null);
    }

    @Inject
    MessageRequestValidator(GatewayConfig config, Clock clock, ObjectMapper mapper, TemplateCatalog templates) {
        this.templates = templates;
        this.config = config;
        this.clock = clock;
        this.mapper = mapper;
    }

    /** Either a message ready for the queue or the list of what is wrong. */
    /**
     * What validation found: the message, or field errors (400), or a well-formed request a rule refuses at
     * accept (422, {@code refusal}).
     */
    public record Result(NewMessage message, List<FieldError> errors, Refusal refusal) {
        public boolean valid() {
            return errors.isEmpty() && refusal == null;
        }
    }

    /** The refusal of a message Meta only delivers to a phone number, addressed to a business-scoped user id. */
    public static final String PHONE_NUMBER_REQUIRED = "phone_number_required";

    /** A well-formed request refused at accept: the reason code, the field at fault and why. */
    public record Refusal(String reason, String field, String detail) {
    }

    public Result validate(SendMessageRequest request, String apiKeyId, String idempotencyKey, String requestHash) {
        List<FieldError> errors = new ArrayList<>();
        Instant now = clock.instant();

        if (request.to() == null || request.to().isBlank()) {
            errors.add(new FieldError("to", "is required"));
        } else if (!PhoneNumbers.isE164(request.to()) && !CustomerIds.isUserId(request.to())) {
            errors.add(new FieldError("to", "must be an E.164 phone number such as +5511987654321, or a WhatsApp "
                    + "business-scoped user id of at most " + CustomerIds.MAX_USER_ID_LENGTH + " characters"));
        }

        String sender = request.from() != null ? request.from() : config.defaultSender().orElse(null);
        if (sender == null) {
            errors.add(new FieldError("from", "is required (no gateway.default-sender is configured)"));
        } else if (!config.senders().containsKey(sender)) {
            errors.add(new FieldError("from", "unknown sender '" + sender + "'; configured: "
                    + String.join(", ", config.senders().keySet())));
        }

        ObjectNode content = content(request, errors);

        String category = request.category();
        if (category != null && !CATEGORIES.contains(category)) {
            errors.add(new FieldError("category", "must be one of utility, marketing, authentication, service"));
        }
        Refusal refusal = null;
        // the sender's account catalogue when it was ever synced; else (no account, never synced) the static map
        AccountTemplates catalog = sender == null || templates == null ? null : templates.forSender(sender);
        if (catalog != null && !catalog.synced()) {
            catalog = null;
        }
        if ("template".equals(request.type()) && request.template() != null) {
            String configured = templateCategory(catalog, request.template());
            if (catalog != null && errors.isEmpty()) {
                TemplateRefusal checked = TemplateCheck.check(catalog, request.template(), "template");
                if (checked != null) {
                    refusal = new Refusal(checked.reason(), checked.field(), checked.detail());
                }
            }
            if (refusal == null && configured != null && category != null && !configured.equals(category)) {
                // the template's category decides consent and opt-outs: a marketing template labelled
                // utility must not slip past a marketing opt-out
                refusal = new Refusal(TemplateRefusal.CATEGORY_MISMATCH, "category", "template '"
                        + request.template().path("name").asText() + "' is " + configured
                        + (catalog != null ? " (the account's template catalogue)" : " (gateway.templates.<name>.category)")
                        + "; the request says " + category);
            }
            if (configured != null) {
                category = configured;
            }
            if (category == null && refusal == null) {
                // (a template the catalogue refused has no category to take: its refusal says why)
                errors.add(new FieldError("category", "templates need a category: give one, or configure "
                        + "gateway.templates.<name>.category"));
            } else if ("service".equals(category)) {
                errors.add(new FieldError("category", "a template is utility, marketing or authentication"));
            }
        } else if (request.type() != null && category == null) {
            category = "service";
        }

        ObjectNode fallback = fallback(request, category, errors, catalog);
        if (refusal == null && fallback != null && catalog != null && errors.isEmpty()) {
            TemplateRefusal checked = TemplateCheck.check(catalog, fallback.path("template"), "fallbackTemplate");
            if (checked != null) {
                refusal = new Refusal(checked.reason(), checked.field(), checked.detail());
            }
        }
        if (refusal == null && CustomerIds.isUserId(request.to()) && ("authentication".equals(category)
                || fallback != null && "authentication".equals(templateCategory(catalog, fallback.path("template"))))) {
            // Meta delivers authentication templates (one-tap, zero-tap, copy code) to phone numbers only (131062)
            refusal = new Refusal(PHONE_NUMBER_REQUIRED, "to", "authentication templates go to phone numbers only: "
                    + "address this customer by phone");
        }

        if (request.replyTo() != null && (request.replyTo().isBlank() || request.replyTo().length() > MAX_REPLY_TO)) {
            errors.add(new FieldError("replyTo", "must be a wamid of at most " + MAX_REPLY_TO + " characters"));
        }

        Instant sendAt = request.sendAt() == null ? null : request.sendAt().toInstant();
        if (sendAt != null && sendAt.isAfter(now.plus(MAX_SCHEDULE_AHEAD))) {
            errors.add(new FieldError("sendAt", "must be within " + MAX_SCHEDULE_AHEAD.toDays() + " days"));
            sendAt = null;
        } else if (sendAt != null && sendAt.isBefore(now.minus(MAX_SEND_AT_PAST))) {
            errors.add(new FieldError("sendAt", "is more than a day in the past"));
            sendAt = null;
        }
        Instant expiresAt = expiry(request, now, sendAt, errors);

        var priority = Priority.parse(request.priority());
        if (priority.isEmpty()) {
            errors.add(new FieldError("priority", "must be high, normal or low"));
        }

        if (request.callbackUrl() != null && !isHttpUrl(request.callbackUrl(), MAX_CALLBACK_URL)) {
            errors.add(new FieldError("callbackUrl", "must be an absolute http(s) URL"));
        } else if (request.callbackUrl() != null && !config.callbacks().perMessageUrls() && refusal == null) {
            refusal = new Refusal(CALLBACK_URLS_OFF, "callbackUrl", "this gateway sends events only to its own "
                    + "callback URL (gateway.callbacks.per-message-urls=false): leave callbackUrl out");
        }
        metadata(request.metadata(), errors);

        if (!errors.isEmpty() || refusal != null) {
            return new Result(null, errors, errors.isEmpty() ? refusal : null);
        }
        NewMessage message = new NewMessage(Ids.next(), apiKeyId, idempotencyKey, requestHash, sender, request.to(),
                request.type(), category, priority.get(), content, request.replyTo(), fallback, request.callbackUrl(),
                request.metadata(), sendAt, expiresAt, now);
        return new Result(message, List.of(), null);
    }

    private ObjectNode content(SendMessageRequest request, List<FieldError> errors) {
        if (request.type() == null) {
            errors.add(new FieldError("type", "is required"));
            return null;
        }
        List<String> present = request.presentContentFields();
        for (String other : present) {
            if (!other.equals(request.type())) {
                errors.add(new FieldError(other, "only the object named by type ('" + request.type() + "') may be given"));
            }
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("type", request.type());
        JsonNode object = request.content();
        if (object != null) {
            body.set(request.type(), object);
        }
        for (ContentViolation v : MessageContentValidator.validate(body)) {
            errors.add(new FieldError(v.field(), v.message()));
        }
        return body;
    }

    private ObjectNode fallback(SendMessageRequest request, String category, List<FieldError> errors,
            AccountTemplates catalog) {
        JsonNode template = request.fallbackTemplate();
        if (template == null || template.isNull()) {
            return null;
        }
        if ("template".equals(request.type())) {
            errors.add(new FieldError("fallbackTemplate", "only free-form messages take a fallback template"));
            return null;
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("type", "template");
        body.set("template", template);
        for (ContentViolation v : MessageContentValidator.validate(body)) {
            errors.add(new FieldError("fallbackTemplate" + v.field().substring("template".length()), v.message()));
        }
        if (templateCategory(catalog, template) == null && !TEMPLATE_CATEGORIES.contains(category)) {
            errors.add(new FieldError("fallbackTemplate", "needs a category: configure gateway.templates."
                    + template.path("name").asText("<name>") + ".category"));
        }
        return body;
    }

    private Instant expiry(SendMessageRequest request, Instant now, Instant sendAt, List<FieldError> errors) {
        if (request.expiresAt() != null && request.ttl() != null) {
            errors.add(new FieldError("ttl", "give expiresAt or ttl, not both"));
            return null;
        }
        Instant expiresAt = null;
        Instant due = sendAt != null && sendAt.isAfter(now) ? sendAt : now;
        if (request.ttl() != null) {
            if (request.ttl().isNegative() || request.ttl().isZero()) {
                errors.add(new FieldError("ttl", "must be positive"));
                return null;
            }
            if (request.ttl().compareTo(MAX_TTL) > 0) {
                errors.add(new FieldError("ttl", "must be at most " + MAX_TTL));
                return null;
            }
            expiresAt = due.plus(request.ttl());
        } else if (request.expiresAt() != null) {
            expiresAt = request.expiresAt().toInstant();
            if (!expiresAt.isAfter(now)) {
                errors.add(new FieldError("expiresAt", "is already in the past"));
            } else if (sendAt != null && !expiresAt.isAfter(sendAt)) {
                errors.add(new FieldError("expiresAt", "must be after sendAt"));
            } else if (expiresAt.isAfter(due.plus(MAX_TTL))) {
                errors.add(
                        new FieldError("expiresAt", "must be at most " + MAX_TTL.toDays() + " days after the message is due"));
            }
        }
        return expiresAt;
    }

    private void metadata(Map<String, String> metadata, List<FieldError> errors) {
        if (metadata == null) {
            return;
        }
        if (metadata.size() > MAX_METADATA_PAIRS) {
            errors.add(new FieldError("metadata", "at most " + MAX_METADATA_PAIRS + " pairs"));
        }
        metadata.forEach((key, value) -> {
            if (key.isEmpty() || key.length() > MAX_METADATA_KEY) {
                errors.add(new FieldError("metadata." + key, "keys are 1 to " + MAX_METADATA_KEY + " characters"));
            }
            if (value == null || value.length() > MAX_METADATA_VALUE) {
                errors.add(new FieldError("metadata." + key, "values are strings of at most " + MAX_METADATA_VALUE
                        + " characters"));
            }
        });
    }

    /** The template's category for a message of this sender (see below). */
    String templateCategory(String sender, JsonNode template) {
        AccountTemplates catalog = templates == null ? null : templates.forSender(sender);
        return templateCategory(catalog != null && catalog.synced() ? catalog : null, template);
    }

    /**
     * The template's category: from the account's catalogue when it was synced (the language's entry, else any of
     * the name's), else the one configured for its name, if any.
     */
    String templateCategory(AccountTemplates catalog, JsonNode template) {
        String name = template.path("name").asText(null);
        if (name == null) {
            return null;
        }
        if (catalog != null) {
            TemplateFacts facts = catalog.find(name, template.path("language").path("code").asText(""));
            String category = facts != null ? facts.category() : catalog.category(name);
            if (category != null) {
                return category;
            }
        }
        var configured = config.templates().get(name);
        return configured == null ? null : configured.category();
    }

    static boolean isHttpUrl(String value, int maxLength) {
        if (value.length() > maxLength) {
            return false;
        }
        try {
            URI uri = URI.create(value);
            return uri.isAbsolute() && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
