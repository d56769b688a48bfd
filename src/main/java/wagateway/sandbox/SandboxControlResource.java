package wagateway.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.mutiny.Uni;
import wagateway.support.PhoneNumbers;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/** Control of the sandbox: what it accepted, its fault knobs, its templates, and a reset. */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@Path("/sandbox")
@Tag(name = "Sandbox: control")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SandboxControlResource {

    private final MessageLedger ledger;
    private final FaultInjector faults;
    private final TemplateCatalog templates;
    private final SandboxReset reset;
    private final SandboxActivity activity;
    private final WebhookDeliverer webhooks;
    private final Clock clock;

    SandboxControlResource(MessageLedger ledger, FaultInjector faults, TemplateCatalog templates, SandboxReset reset,
            SandboxActivity activity, WebhookDeliverer webhooks, Clock clock) {
        this.webhooks = webhooks;
        this.clock = clock;
        this.activity = activity;
        this.ledger = ledger;
        this.faults = faults;
        this.templates = templates;
        this.reset = reset;
    }

    @GET
    @Path("/messages")
    @Operation(summary = "Messages the sandbox accepted, oldest first, with the last status it reported")
    public Uni<List<SentMessageView>> messages(@RestQuery String to) {
        return Uni.createFrom().item(() -> {
            if (to != null && !PhoneNumbers.isE164(to)) {
                throw SandboxCustomerService.invalid("to", "must be E.164, such as +5511987654321");
            }
            return ledger.list(to == null ? null : PhoneNumbers.toWaId(to)).stream().map(SentMessageView::of).toList();
        });
    }

    @GET
    @Path("/reads")
    @Operation(summary = "Read receipts the sandbox took (status: read, with or without a typing indicator), oldest first")
    public Uni<List<MessageLedger.ReadCall>> reads(@RestQuery String wamid) {
        return Uni.createFrom().item(() -> ledger.readCalls(wamid));
    }

    @GET
    @Path("/faults")
    @Operation(summary = "The fault knobs in force")
    public Uni<FaultSettings> faults() {
        return Uni.createFrom().item(faults::settings);
    }

    @PUT
    @Path("/faults")
    @Operation(summary = "Replace the fault knobs; absent fields take their configured values")
    public Uni<FaultSettings> replaceFaults(FaultSettings settings) {
        return Uni.createFrom().item(() -> {
            FaultSettings given = settings != null ? settings
                    : new FaultSettings(null, null, null, null, null, null, null, null, null, null, null);
            List<Problem.FieldError> errors = FaultSettingsCheck.problems(given);
            if (!errors.isEmpty()) {
                throw SandboxCustomerService.invalid(errors);
            }
            FaultSettings inForce = faults.replace(given);
            activity.publish("faults", null);
            return inForce;
        });
    }

    @GET
    @Path("/templates")
    @Operation(summary = "The templates the sandbox treats as approved")
    public Uni<List<SandboxTemplate>> templates() {
        return Uni.createFrom().item(templates::all);
    }

    @PUT
    @Path("/templates/{name}")
    @Operation(summary = "Add or replace an approved template")
    public Uni<SandboxTemplate> putTemplate(@RestPath String name, TemplateRequest request) {
        return Uni.createFrom().item(() -> {
            SandboxTemplate template = toTemplate(templates.idFor(name), name, request);
            templates.put(template);
            activity.publish("templates", null);
            return template;
        });
    }

    @POST
    @Path("/templates/{name}/status")
    @Operation(summary = "Change a template's status (pause, disable, approve…) and send message_template_status_update")
    public Uni<SandboxTemplate> changeStatus(@RestPath String name, TemplateChangeRequest request) {
        return Uni.createFrom().item(() -> {
            String status = request == null || request.status() == null ? null : request.status().toUpperCase(Locale.ROOT);
            if (status == null || !SandboxTemplate.STATUSES.contains(status)) {
                throw SandboxCustomerService.invalid("status", "must be one of APPROVED, PENDING, REJECTED, PAUSED, DISABLED");
            }
            String pause = request.pause() == null ? null : request.pause().toUpperCase(Locale.ROOT);
            if (pause != null && !("FIRST_PAUSE".equals(pause) || "SECOND_PAUSE".equals(pause))) {
                throw SandboxCustomerService.invalid("pause", "must be FIRST_PAUSE or SECOND_PAUSE");
            }
            SandboxTemplate[] change = changed(name, t -> t.withStatus(status));
            templates.pauseEnds(name, "PAUSED".equals(status) && pause != null
                    ? clock.instant().plus(Duration.ofHours("SECOND_PAUSE".equals(pause) ? 6 : 3))
                    : null);
            webhooks.deliver(WebhookPayloads.templateStatus(change[1], request.reason(), pause), Duration.ZERO, () -> {
            });
            return change[1];
        });
    }

    @POST
    @Path("/templates/{name}/category")
    @Operation(summary = "Re-categorise a template and send template_category_update")
    public Uni<SandboxTemplate> changeCategory(@RestPath String name, TemplateChangeRequest request) {
        return Uni.createFrom().item(() -> {
            String category = request == null || request.category() == null ? null
                    : request.category().toLowerCase(Locale.ROOT);
            if (category == null || !SandboxTemplate.CATEGORIES.contains(category)) {
                throw SandboxCustomerService.invalid("category", "must be one of utility, marketing, authentication");
            }
            SandboxTemplate[] change = changed(name, t -> t.withCategory(category));
            webhooks.deliver(WebhookPayloads.templateCategory(change[0], change[1]), Duration.ZERO, () -> {
            });
            return change[1];
        });
    }

    @POST
    @Path("/templates/{name}/quality")
    @Operation(summary = "Change a template's quality score and send message_template_quality_update")
    public Uni<SandboxTemplate> changeQuality(@RestPath String name, TemplateChangeRequest request) {
        return Uni.createFrom().item(() -> {
            String quality = request == null || request.quality() == null ? null : request.quality().toUpperCase(Locale.ROOT);
            if (quality == null || !SandboxTemplate.QUALITIES.contains(quality)) {
                throw SandboxCustomerService.invalid("quality", "must be one of GREEN, YELLOW, RED, UNKNOWN");
            }
            SandboxTemplate[] change = changed(name, t -> t.withQuality(quality));
            webhooks.deliver(WebhookPayloads.templateQuality(change[0], change[1]), Duration.ZERO, () -> {
            });
            return change[1];
        });
    }

    private SandboxTemplate[] changed(String name, java.util.function.UnaryOperator<SandboxTemplate> change) {
        SandboxTemplate[] result = templates.change(name, change)
                .orElseThrow(() -> new ProblemException(Problem.of("template-not-found", "Not Found", 404,
                        "The sandbox has no template named " + name)));
        activity.publish("templates", null);
        return result;
    }

    @POST
    @Path("/reset")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Forget customers, windows, messages, limits, custom templates and pending webhooks; knobs back to config")
    public Uni<Map<String, Boolean>> reset() {
        return Uni.createFrom().item(() -> {
            reset.reset();
            return Map.of("reset", true);
        });
    }

    private static SandboxTemplate toTemplate(String id, String name, TemplateRequest request) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (!name.matches("[a-z0-9_]{1,512}")) {
            errors.add(new Problem.FieldError("name", "lower-case letters, digits and underscores only"));
        }
        if (request == null || request.category() == null || !SandboxTemplate.CATEGORIES.contains(request.category())) {
            errors.add(new Problem.FieldError("category", "must be one of utility, marketing, authentication"));
        }
        if (request != null && request.bodyParameters() != null && request.bodyParameters() < 0) {
            errors.add(new Problem.FieldError("bodyParameters", "must not be negative"));
        }
        if (request != null && request.headerType() != null && !SandboxTemplate.HEADER_TYPES.contains(request.headerType())) {
            errors.add(new Problem.FieldError("headerType", "must be one of none, text, image, video, document"));
        }
        if (request != null && request.buttons() != null
                && !SandboxTemplate.BUTTON_TYPES.containsAll(request.buttons())) {
            errors.add(new Problem.FieldError("buttons", "each must be one of quick_reply, url, copy_code, otp"));
        }
        if (request != null && request.status() != null && !SandboxTemplate.STATUSES.contains(request.status())) {
            errors.add(new Problem.FieldError("status", "must be one of APPROVED, PENDING, REJECTED, PAUSED, DISABLED"));
        }
        if (!errors.isEmpty()) {
            throw SandboxCustomerService.invalid(errors);
        }
        return new SandboxTemplate(id, name, request.category(),
                request.language() != null && !request.language().isBlank() ? request.language() : "en_US",
                request.bodyParameters() != null ? request.bodyParameters() : 0,
                request.headerType() != null ? request.headerType() : "none", request.buttons(),
                request.status() != null ? request.status() : "APPROVED", "UNKNOWN");
    }
}
