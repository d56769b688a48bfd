package wagateway.sandbox;

import java.util.List;

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

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** The simulated customers: configure them, and make them write to the business. Phones are E.164 with '+'. */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@Path("/sandbox/customers")
@Tag(name = "Sandbox: customers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SandboxCustomerResource {

    private final SandboxCustomerService service;

    SandboxCustomerResource(SandboxCustomerService service) {
        this.service = service;
    }

    @GET
    @Operation(summary = "Every customer the sandbox has seen: configured, wrote, or was sent a message")
    public Uni<List<CustomerView>> all() {
        return Uni.createFrom().item(service::all);
    }

    @GET
    @Path("/{phone}")
    @Operation(summary = "One customer, with their service windows")
    public Uni<CustomerView> one(@RestPath String phone) {
        return Uni.createFrom().item(() -> service.find(phone));
    }

    @PUT
    @Path("/{phone}")
    @Operation(summary = "Configure a customer: WhatsApp user or not, marketing opt-out, reads or not, answer delay")
    public Uni<CustomerView> configure(@RestPath String phone, CustomerSettingsRequest settings) {
        return Uni.createFrom().item(() -> service.configure(phone, settings));
    }

    /** Body of {@code POST /sandbox/customers/{phone}/number}: the number the customer moves to. */
    @RegisterForReflection
    public record NumberChange(String phone) {
    }

    @POST
    @Path("/{phone}/number")
    @Operation(summary = "The customer changes number: a new business-scoped user id, and the system notice webhook")
    public Uni<CustomerView> changeNumber(@RestPath String phone, NumberChange body) {
        return Uni.createFrom().item(() -> service.changeNumber(phone, body == null ? null : body.phone()));
    }

    @POST
    @Path("/{phone}/messages")
    @Operation(summary = "The customer writes to the business: opens their window and sends the inbound webhook")
    public Uni<CustomerMessageAnswer> write(@RestPath String phone, CustomerMessageRequest message) {
        Uni<CustomerMessageAnswer> write = Uni.createFrom().item(() -> service.write(phone, message));
        // Decoding or generating a file (up to 100 MiB) is CPU work that must not hold the event loop.
        return message != null && message.media() != null
                ? write.runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                : write;
    }
}
