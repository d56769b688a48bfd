package wagateway.event;

import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestQuery;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import wagateway.event.api.DeadEventView;

/** {@code GET /v1/events/dead}: the events whose callback was given up on, newest first. */
@Path("/v1/events/dead")
@Produces(MediaType.APPLICATION_JSON)
public class DeadEventResource {

    private final DeadEvents dead;

    DeadEventResource(DeadEvents dead) {
        this.dead = dead;
    }

    /** The listing's body. */
    @RegisterForReflection
    public record DeadEventList(List<DeadEventView> events) {
    }

    @GET
    public Uni<DeadEventList> list(@RestQuery @DefaultValue("50") @Min(1) @Max(500) int limit) {
        return dead.list(limit).map(DeadEventList::new);
    }
}
