package wagateway.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.logging.Log;
import wagateway.cloudapi.content.MediaLimits;
import wagateway.config.GatewayConfig;
import wagateway.support.PhoneNumbers;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * The customer side of the sandbox: configures simulated customers and makes them write to the business,
 * which opens their service window and sends the gateway an inbound webhook shaped like Meta's.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class SandboxCustomerService {

    private final CustomerDirectory customers;
    private final MessageLedger ledger;
    private final WebhookDeliverer webhooks;
    private final Clock clock;
    private final GatewayConfig config;
    private final SandboxActivity activity;
    private final SandboxMediaStore media;

    SandboxCustomerService(CustomerDirectory customers, MessageLedger ledger, WebhookDeliverer webhooks, Clock clock,
            GatewayConfig config, SandboxActivity activity, SandboxMediaStore media) {
        this.media = media;
        this.activity = activity;
        this.customers = customers;
        this.ledger = ledger;
        this.webhooks = webhooks;
        this.clock = clock;
        this.config = config;
    }

    public CustomerView configure(String phone, CustomerSettingsRequest settings) {
        requireE164(phone);
        CustomerSettingsRequest s = settings != null ? settings
                : new CustomerSettingsRequest(null, null, null, null, null, null);
        Duration answerDelay = null;
        if (s.answerDelay() != null) {
            try {
                answerDelay = Duration.parse(s.answerDelay());
            } catch (DateTimeParseException e) {
                throw invalid("answerDelay", "must be an ISO-8601 duration such as PT5S");
            }
            if (answerDelay.isNegative()) {
                throw invalid("answerDelay", "must not be negative");
            }
        }
        SandboxCustomer defaults = SandboxCustomer.unknown(phone);
        SandboxCustomer customer = new SandboxCustomer(phone,
                s.name() != null && !s.name().isBlank() ? s.name() : defaults.name(),
                s.whatsappUser() != null ? s.whatsappUser() : defaults.whatsappUser(),
                s.marketingOptedOut() != null ? s.marketingOptedOut() : defaults.marketingOptedOut(),
                s.readsMessages() != null ? s.readsMessages() : defaults.readsMessages(), answerDelay,
                s.username() != null && !s.username().isBlank() ? s.username().trim() : null);
        customers.put(customer);
        activity.publish("customer", phone);
        Log.debugf("Sandbox customer %s configured", PhoneNumbers.mask(phone));
        return view(customer);
    }

    /**
     * The customer moves to another number: Meta gives them a new business-scoped user id, and every business
     * they wrote to gets the system notice ({@code user_changed_number}, or {@code user_changed_user_id} for a
     * customer who hides their phone). Settings and open windows move with them.
     */
    public CustomerView changeNumber(String phone, String newPhone) {
        requireE164(phone);
        if (!PhoneNumbers.isE164(newPhone) || newPhone.equals(phone)) {
            throw invalid("phone", "must be another E.164 number such as +5511987654321");
        }
        if (!customers.hasSeen(phone)) {
            throw ProblemException.notFound("No sandbox customer " + PhoneNumbers.mask(phone));
        }
        SandboxCustomer before = customers.get(phone);
        var windows = customers.windowsOf(phone);
        SandboxCustomer after = customers.changeNumber(phone, newPhone);
        Instant now = clock.instant();
        for (String phoneNumberId : windows.keySet()) {
            String wamid = SandboxIds.wamid(before.waId());
            webhooks.deliver(WebhookPayloads.numberChanged(phoneNumberId, before, after, wamid, now), Duration.ZERO,
                    () -> {
                    });
        }
        activity.publish("customer", newPhone);
        return view(after);
    }

    public CustomerView find(String phone) {
        requireE164(phone);
        if (!customers.hasSeen(phone)) {
            throw ProblemException.notFound("No sandbox customer " + PhoneNumbers.mask(phone));
        }
        return view(customers.get(phone));
    }

    public List<CustomerView> all() {
        return customers.all().stream().map(this::view).toList();
    }

    /** The customer writes: their window opens and the inbound webhook is scheduled. */
    public CustomerMessageAnswer write(String phone, CustomerMessageRequest request) {
        requireE164(phone);
        if (request == null) {
            throw invalid("body", "send one of text, buttonReply, listReply, media");
        }
        String type;
        ObjectNode content = JsonNodeFactory.instance.objectNode();
        int kinds = (request.text() != null ? 1 : 0) + (request.buttonReply() != null ? 1 : 0)
                + (request.listReply() != null ? 1 : 0) + (request.media() != null ? 1 : 0);
        if (kinds != 1) {
            throw invalid("body", "send exactly one of text, buttonReply, listReply, media");
        }
        String phoneNumberId = businessNumber(request);
        if (request.text() != null) {
            if (request.text().isBlank() || request.text().length() > 4096) {
                throw invalid("text", "must be 1 to 4096 characters");
            }
            type = "text";
            content.put("body", request.text());
        } else if (request.buttonReply() != null) {
            var reply = request.buttonReply();
            requireText("buttonReply.id", reply.id());
            requireText("buttonReply.title", reply.title());
            type = "interactive";
            content.put("type", "button_reply");
            ObjectNode button = content.putObject("button_reply");
            button.put("id", reply.id());
            button.put("title", reply.title());
        } else if (request.media() != null) {
            type = request.media().type();
            content = mediaContent(phoneNumberId, request.media());
        } else {
            var reply = request.listReply();
            requireText("listReply.id", reply.id());
            requireText("listReply.title", reply.title());
            type = "interactive";
            content.put("type", "list_reply");
            ObjectNode row = content.putObject("list_reply");
            row.put("id", reply.id());
            row.put("title", reply.title());
            if (reply.description() != null) {
                row.put("description", reply.description());
            }
        }
        boolean referral = Boolean.TRUE.equals(request.referral());
        SandboxCustomer customer = customers.get(phone);
        Instant now = clock.instant();
        CustomerDirectory.Window window = customers.open(phoneNumberId, phone, now, referral);
        String wamid = SandboxIds.wamid(customer.waId());
        ObjectNode payload = WebhookPayloads.inbound(phoneNumberId, customer, wamid, now, type, content,
                request.context(), referral ? WebhookPayloads.adReferral(wamid) : null);
        CustomerMessage written = new CustomerMessage(ledger.nextSeq(), wamid, phone, phoneNumberId, type, content,
                request.context(), now, false, null);
        webhooks.deliver(payload, Duration.ZERO, () -> ledger.addInbound(written));
        Log.debugf("Sandbox customer %s wrote (%s)", PhoneNumbers.mask(phone), type);
        return new CustomerMessageAnswer(wamid, phoneNumberId, type, window.openUntil().toString(), referral,
                webhooks.url(), content.path("id").asText(null));
    }

    /**
     * Stores the customer's file as media of the business number written to; the webhook carries what Meta's
     * does: {@code {mime_type, sha256, id, caption?, filename?}}, no URL.
     */
    private ObjectNode mediaContent(String phoneNumberId, CustomerMessageRequest.Media request) {
        String type = request.type();
        if (type == null || !SampleMedia.DEFAULT_MIME.containsKey(type)) {
            throw invalid("media.type", "must be one of image, video, audio, document, sticker");
        }
        String mime = request.mimeType() != null ? MediaLimits.bare(request.mimeType()) : SampleMedia.DEFAULT_MIME.get(type);
        var kind = MediaLimits.of(mime).filter(k -> k.messageType().equals(type));
        if (kind.isEmpty()) {
            throw invalid("media.mimeType", "is not a type WhatsApp accepts for " + type);
        }
        byte[] bytes;
        if (request.dataBase64() != null) {
            try {
                bytes = Base64.getDecoder().decode(request.dataBase64());
            } catch (IllegalArgumentException e) {
                throw invalid("media.dataBase64", "is not valid base64");
            }
        } else {
            long size = request.sizeBytes() == null ? 0 : request.sizeBytes();
            if (size < 0 || size > kind.get().maxBytes()) {
                throw invalid("media.sizeBytes", "must be 0 to " + kind.get().maxBytes() + " for " + mime);
            }
            bytes = SampleMedia.generate(mime, size);
        }
        if (request.caption() != null && ("audio".equals(type) || "sticker".equals(type))) {
            throw invalid("media.caption", "is not allowed on " + type);
        }
        SandboxMedia stored = media.add(phoneNumberId, mime, bytes, request.filename(), "inbound");
        ObjectNode content = JsonNodeFactory.instance.objectNode();
        if (request.caption() != null) {
            content.put("caption", request.caption());
        }
        if (request.filename() != null && "document".equals(type)) {
            content.put("filename", request.filename());
        }
        content.put("mime_type", mime);
        content.put("sha256", stored.sha256);
        content.put("id", stored.id);
        return content;
    }

    /** The number written to: as given, else the replied-to message's, else the default sender's. */
    private String businessNumber(CustomerMessageRequest request) {
        if (request.phoneNumberId() != null) {
            boolean known = config.senders().values().stream().anyMatch(s -> s.phoneNumberId().equals(request.phoneNumberId()));
            if (!known) {
                throw invalid("phoneNumberId", "is not the phone-number-id of a configured sender");
            }
            return request.phoneNumberId();
        }
        if (request.context() != null) {
            var replied = ledger.find(request.context());
            if (replied.isPresent()) {
                return replied.get().phoneNumberId();
            }
        }
        String sender = config.defaultSender().orElseGet(() -> new TreeMap<>(config.senders()).firstKey());
        return config.senders().get(sender).phoneNumberId();
    }

    private CustomerView view(SandboxCustomer customer) {
        Map<String, String> openUntil = new TreeMap<>();
        Map<String, Boolean> freeEntryPoint = new TreeMap<>();
        customers.windowsOf(customer.phone()).forEach((numberId, window) -> {
            openUntil.put(numberId, window.openUntil().toString());
            freeEntryPoint.put(numberId, window.freeEntryPoint());
        });
        return new CustomerView(customer.phone(), customer.name(), customer.whatsappUser(), customer.marketingOptedOut(),
                customer.readsMessages(), customer.answerDelay() == null ? null : customer.answerDelay().toString(),
                openUntil, freeEntryPoint, customer.userId(), customer.username());
    }

    private static void requireE164(String phone) {
        if (!PhoneNumbers.isE164(phone)) {
            throw invalid("phone", "must be E.164, such as +5511987654321");
        }
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw invalid(field, "is required");
        }
    }

    static ProblemException invalid(String field, String message) {
        return invalid(List.of(new Problem.FieldError(field, message)));
    }

    static ProblemException invalid(List<Problem.FieldError> errors) {
        return new ProblemException(new Problem("validation", "Bad Request", 400, "The request has invalid fields",
                new ArrayList<>(errors)));
    }
}
