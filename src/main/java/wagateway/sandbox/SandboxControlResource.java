package wagateway.sandbox;

import java.util.ArrayList;
import java.util.List;
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

    SandboxControlResource(MessageLedger ledger, FaultInjector faults, TemplateCatalog templates, SandboxReset reset,
            SandboxActivity activity) {
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
            SandboxTemplate template = toTemplate(name, request);
            templates.put(template);
            return template;
        });
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

    private static SandboxTemplate toTemplate(String name, TemplateRequest request) {
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
        if (!errors.isEmpty()) {
            throw SandboxCustomerService.invalid(errors);
        }
        return new SandboxTemplate(name, request.category(),
                request.language() != null && !request.language().isBlank() ? request.language() : "en_US",
                request.bodyParameters() != null ? request.bodyParameters() : 0,
                request.headerType() != null ? request.headerType() : "none");
    }
}
