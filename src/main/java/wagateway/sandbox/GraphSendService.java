package wagateway.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.logging.Log;
import wagateway.cloudapi.content.ContentViolation;
import wagateway.cloudapi.content.MessageContentValidator;
import wagateway.config.GatewayConfig;
import wagateway.support.BearerToken;
import wagateway.support.PhoneNumbers;

/**
 * The simulated {@code POST /{version}/{phone-number-id}/messages}: checks what Meta checks, in Meta's
 * order (token, phone-number id, envelope, content, template, limits), answers with Meta's shapes, and
 * reports the accepted message's life by status webhooks. Failures Meta reports after accepting
 * (131026, 131047, 131050) are accepted here too and then failed by webhook.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class GraphSendService {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> MEDIA_TYPES = Set.of("image", "video", "audio", "document", "sticker");

    private final Map<String, GatewayConfig.Sender> sendersByNumberId;
    private final Duration statusDelay;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final CustomerDirectory customers;
    private final TemplateCatalog templates;
    private final MessageLedger ledger;
    private final FaultInjector faults;
    private final WebhookDeliverer webhooks;
    private final SandboxRateLimiter limiter;
    private final SandboxMediaStore media;

    GraphSendService(GatewayConfig config, SandboxConfig sandbox, Clock clock, ObjectMapper mapper, CustomerDirectory customers,
            TemplateCatalog templates, MessageLedger ledger, FaultInjector faults, WebhookDeliverer webhooks,
            SandboxMediaStore media) {
        this.media = media;
        this.sendersByNumberId = config.senders().values().stream()
                .collect(Collectors.toMap(GatewayConfig.Sender::phoneNumberId, s -> s, (a, b) -> a));
        this.statusDelay = sandbox.statusDelay();
        this.clock = clock;
        this.mapper = mapper;
        this.customers = customers;
        this.templates = templates;
        this.ledger = ledger;
        this.faults = faults;
        this.webhooks = webhooks;
        this.limiter = new SandboxRateLimiter(sandbox.messagesPerSecond(), sandbox.pairInterval());
    }

    /**
     * @param authorization the raw {@code Authorization} header
     * @param rawBody the request body as sent
     */
    public GraphAnswer send(String phoneNumberId, String authorization, String rawBody) {
        if (faults.takeBurst()) {
            return GraphAnswer.error(GraphErrors.serverError(503));
        }
        Optional<GraphError> denied = authorize(phoneNumberId, authorization);
        if (denied.isPresent()) {
            return GraphAnswer.error(denied.get());
        }
        JsonNode body;
        try {
            body = rawBody == null || rawBody.isBlank() ? null : mapper.readTree(rawBody);
        } catch (JsonProcessingException e) {
            return GraphAnswer.error(GraphErrors.invalidParameter("The request body is not valid JSON"));
        }
        if (body == null || !body.isObject()) {
            return GraphAnswer.error(GraphErrors.requiredParameter("messaging_product"));
        }
        Optional<GraphError> envelopeError = checkEnvelope(body);
        if (envelopeError.isPresent()) {
            return GraphAnswer.error(envelopeError.get());
        }
        if (body.has("status")) {
            return markAsRead(phoneNumberId, body);
        }
        if (body.has("typing_indicator")) {
            return GraphAnswer.error(GraphErrors.invalidParameter("typing_indicator is only accepted with status: read"));
        }
        return sendMessage(phoneNumberId, (ObjectNode) body);
    }

    /** Clears the rate limiter (with the rest of the sandbox state). */
    void resetLimits() {
        limiter.clear();
    }

    Optional<GraphError> authorize(String phoneNumberId, String authorization) {
        String token = BearerToken.from(authorization);
        if (token == null) {
            return Optional.of(GraphErrors.invalidToken());
        }
        boolean anyMatch = false;
        for (GatewayConfig.Sender sender : sendersByNumberId.values()) {
            anyMatch |= sameSecret(sender.accessToken(), token);
        }
        if (!anyMatch) {
            return Optional.of(GraphErrors.invalidToken());
        }
        GatewayConfig.Sender sender = sendersByNumberId.get(phoneNumberId);
        // A valid token for another number: Meta answers as if the object did not exist.
        if (sender == null || !sameSecret(sender.accessToken(), token)) {
            return Optional.of(GraphErrors.unknownObject(phoneNumberId));
        }
        return Optional.empty();
    }

    private static boolean sameSecret(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<GraphError> checkEnvelope(JsonNode body) {
        JsonNode product = body.get("messaging_product");
        if (product == null || product.isNull()) {
            return Optional.of(GraphErrors.requiredParameter("messaging_product"));
        }
        if (!"whatsapp".equals(product.asText())) {
            return Optional.of(GraphErrors.invalidParameter("messaging_product must be whatsapp"));
        }
        if (body.has("status")) {
            return Optional.empty();
        }
        JsonNode recipientType = body.get("recipient_type");
        if (recipientType != null && !"individual".equals(recipientType.asText())) {
            return Optional.of(GraphErrors.invalidParameter("recipient_type must be individual"));
        }
        JsonNode to = body.get("to");
        JsonNode recipient = body.get("recipient");
        if ((to == null || to.isNull() || to.asText().isBlank()) && recipient != null && recipient.isTextual()
                && !recipient.asText().isBlank()) {
            return Optional.empty(); // a business-scoped user id: "to" takes precedence when both are given
        }
        if (to == null || to.isNull() || to.asText().isBlank()) {
            return Optional.of(GraphErrors.requiredParameter("to"));
        }
        if (!to.isTextual() || waIdOf(to.asText()) == null) {
            return Optional.of(GraphErrors.invalidValue("to: not a valid phone number"));
        }
        return Optional.empty();
    }

    /** Meta accepts formatted numbers ({@code +1 (650) 555-1234}) and answers with the bare digits. */
    static String waIdOf(String to) {
        if (!to.matches("[+0-9 ()\\-.]+")) {
            return null;
        }
        String digits = to.replaceAll("[^0-9]", "");
        return digits.length() >= 7 && digits.length() <= 15 && digits.charAt(0) != '0' ? digits : null;
    }

    /**
     * A read receipt, optionally with a typing indicator: checked like Meta (status read only, a typing indicator
     * of type text only, a message id this number received), subject to the injected faults and to the number's
     * throughput like a send, and kept in the ledger ({@code GET /sandbox/reads}) for tests and the console.
     */
    private GraphAnswer markAsRead(String phoneNumberId, JsonNode body) {
        if (!"read".equals(body.get("status").asText())) {
            return GraphAnswer.error(GraphErrors.invalidValue("status: only read is supported"));
        }
        if (!body.hasNonNull("message_id") || body.get("message_id").asText().isBlank()) {
            return GraphAnswer.error(GraphErrors.missingParameter("message_id is required"));
        }
        JsonNode typing = body.get("typing_indicator");
        if (typing != null && !(typing.isObject() && typing.size() == 1 && "text".equals(typing.path("type").asText(null)))) {
            return GraphAnswer.error(GraphErrors.invalidValue("typing_indicator: must be {\"type\": \"text\"}"));
        }
        String wamid = body.get("message_id").asText();
        if (ledger.inboundTo(phoneNumberId, wamid).isEmpty()) {
            return GraphAnswer.error(GraphErrors.invalidParameter(
                    "message_id " + wamid + " is not a message this phone number received"));
        }
        // delivery failures (131026, 131047, 131050) are about messages sent: they have nothing to fail here
        Optional<GraphError> injected = faults.injectedError();
        if (injected.isPresent() && !injected.get().async()) {
            return GraphAnswer.error(injected.get());
        }
        Instant now = clock.instant();
        if (limiter.tryAcquireThroughput(phoneNumberId, now) == SandboxRateLimiter.Verdict.THROUGHPUT_EXCEEDED) {
            return GraphAnswer.error(GraphErrors.throughput());
        }
        ledger.markInboundRead(wamid, typing != null, now);
        return new GraphAnswer(200, JSON.objectNode().put("success", true));
    }

    private GraphAnswer sendMessage(String phoneNumberId, ObjectNode body) {
        Optional<GraphError> contentError = checkContent(body);
        if (contentError.isPresent()) {
            return GraphAnswer.error(contentError.get());
        }
        String type = body.get("type").asText();
        // A media message by id: Meta fetches the media when sending and fails with 131053 when the id is
        // unknown, expired, deleted or belongs to another number.
        JsonNode mediaId = MEDIA_TYPES.contains(type) ? body.path(type).get("id") : null;
        if (mediaId != null && !media.usableBy(mediaId.asText(), phoneNumberId)) {
            return GraphAnswer.error(GraphErrors.mediaError("Media id " + mediaId.asText()
                    + " does not exist for this phone number or has expired"));
        }
        SandboxTemplate template = null;
        if ("template".equals(type)) {
            JsonNode t = body.get("template");
            String name = t.path("name").asText();
            String language = t.path("language").path("code").asText();
            Optional<SandboxTemplate> found = templates.find(name).filter(x -> x.language().equals(language));
            if (found.isEmpty()) {
                return GraphAnswer.error(GraphErrors.templateNotFound(name, language));
            }
            template = found.get();
            if ("PAUSED".equals(template.status())) {
                return GraphAnswer.error(GraphErrors.templatePaused(name));
            }
            if ("DISABLED".equals(template.status())) {
                return GraphAnswer.error(GraphErrors.templateDisabled(name));
            }
            if (!"APPROVED".equals(template.status())) {
                // pending and rejected templates cannot be sent: Meta answers as for a missing one
                return GraphAnswer.error(GraphErrors.templateNotFound(name, language));
            }
            Optional<GraphError> parameterError = TemplateParameters.check(template, t.path("components"));
            if (parameterError.isPresent()) {
                return GraphAnswer.error(parameterError.get());
            }
        }
        Optional<GraphError> injected = faults.injectedError();
        if (injected.isPresent() && !injected.get().async()) {
            return GraphAnswer.error(injected.get());
        }
        JsonNode toNode = body.get("to");
        boolean byUserId = toNode == null || toNode.isNull() || toNode.asText().isBlank();
        String to = byUserId ? body.get("recipient").asText() : toNode.asText();
        String waId;
        if (byUserId) {
            // Meta: one-tap, zero-tap and copy-code authentication templates need a phone number (131062)
            if (template != null && "authentication".equals(template.category())) {
                return GraphAnswer.error(GraphErrors.userIdRecipientNotSupported());
            }
            Optional<SandboxCustomer> known = customers.byUserId(to);
            if (known.isEmpty()) {
                return GraphAnswer.error(GraphErrors.invalidValue("recipient: no WhatsApp user with this id"));
            }
            waId = known.get().waId();
        } else {
            waId = waIdOf(to);
        }
        Instant now = clock.instant();
        switch (limiter.tryAcquire(phoneNumberId, waId, now)) {
            case THROUGHPUT_EXCEEDED:
                return GraphAnswer.error(GraphErrors.throughput());
            case PAIR_RATE_EXCEEDED:
                return GraphAnswer.error(GraphErrors.pairRate());
            default:
                break;
        }
        SandboxCustomer customer = customers.get(PhoneNumbers.fromWaId(waId));
        Optional<CustomerDirectory.Window> window = customers.openWindow(phoneNumberId, customer.phone(), now);
        GraphError failure = injected.orElse(null);
        if (failure == null && !customer.whatsappUser()) {
            failure = GraphErrors.undeliverable();
        }
        if (failure == null && template == null && window.isEmpty()) {
            if (faults.windowErrorSync()) {
                return GraphAnswer.error(GraphErrors.reEngagement().synchronous());
            }
            failure = GraphErrors.reEngagement();
        }
        if (failure == null && template != null && "marketing".equals(template.category()) && customer.marketingOptedOut()) {
            failure = GraphErrors.marketingOptOut();
        }
        SandboxMessage message = accept(phoneNumberId, body, to, waId, type, template, window, now);
        reportLife(message, customer, failure);
        return new GraphAnswer(200, successBody(to, byUserId ? null : waId, byUserId ? to : null, message.wamid()));
    }

    private static Optional<GraphError> checkContent(JsonNode body) {
        List<ContentViolation> violations = MessageContentValidator.validate(body);
        if (violations.isEmpty()) {
            return Optional.empty();
        }
        List<String> missing = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        for (ContentViolation v : violations) {
            (v.kind() == ContentViolation.Kind.MISSING ? missing : invalid).add(v.field() + ": " + v.message());
        }
        return Optional.of(missing.isEmpty()
                ? GraphErrors.invalidValue(String.join("; ", invalid))
                : GraphErrors.missingParameter(String.join("; ", missing)));
    }

    private SandboxMessage accept(String phoneNumberId, ObjectNode body, String to, String waId, String type,
            SandboxTemplate template, Optional<CustomerDirectory.Window> window, Instant now) {
        String category = template == null ? "service" : template.category();
        String pricingType;
        if (window.isPresent() && window.get().freeEntryPoint()) {
            category = "referral_conversion";
            pricingType = "free_entry_point";
        } else if (window.isPresent() && (template == null || "utility".equals(category))) {
            pricingType = "free_customer_service";
        } else {
            pricingType = "regular";
        }
        JsonNode opaque = body.get("biz_opaque_callback_data");
        SandboxMessage message = new SandboxMessage(ledger.nextSeq(), SandboxIds.wamid(waId), phoneNumberId, to, waId,
                type, category, pricingType, opaque == null || opaque.isNull() ? null : opaque.asText(), now, "accepted",
                null, body);
        customers.sentTo(PhoneNumbers.fromWaId(waId));
        ledger.add(message);
        Log.debugf("Sandbox accepted a %s message to %s", type, PhoneNumbers.mask(to));
        return message;
    }

    /**
     * Schedules the status webhooks: {@code failed} after one status delay, or {@code sent}, {@code delivered}
     * and (for customers who read) {@code read} after the customer's answer delay. Timestamps keep the real
     * order even when the out-of-order knob delivers them backwards.
     */
    private void reportLife(SandboxMessage message, SandboxCustomer customer, GraphError failure) {
        List<String> statuses = new ArrayList<>();
        List<Duration> offsets = new ArrayList<>();
        if (failure != null) {
            statuses.add("failed");
            offsets.add(statusDelay);
        } else {
            statuses.add("sent");
            offsets.add(statusDelay);
            statuses.add("delivered");
            offsets.add(statusDelay.multipliedBy(2));
            if (customer.readsMessages()) {
                statuses.add("read");
                offsets.add(statusDelay.multipliedBy(2).plus(
                        customer.answerDelay() != null ? customer.answerDelay() : statusDelay));
            }
        }
        boolean reversed = statuses.size() > 1 && faults.outOfOrder();
        for (int i = 0; i < statuses.size(); i++) {
            int which = reversed ? statuses.size() - 1 - i : i;
            String status = statuses.get(which);
            ObjectNode payload = WebhookPayloads.status(message, status, message.acceptedAt().plus(offsets.get(which)),
                    failure, customer);
            Integer code = failure == null ? null : failure.code();
            webhooks.deliver(payload, offsets.get(i), () -> ledger.report(message.wamid(), status, code));
        }
    }

    /** As Meta: {@code wa_id} for a send to a phone, {@code user_id} for one to a business-scoped user id. */
    private static ObjectNode successBody(String to, String waId, String userId, String wamid) {
        ObjectNode answer = JSON.objectNode();
        answer.put("messaging_product", "whatsapp");
        ObjectNode contact = answer.putArray("contacts").addObject();
        contact.put("input", to);
        if (waId != null) {
            contact.put("wa_id", waId);
        }
        if (userId != null) {
            contact.put("user_id", userId);
        }
        ObjectNode message = answer.putArray("messages").addObject();
        message.put("id", wamid);
        message.put("message_status", "accepted");
        return answer;
    }
}
