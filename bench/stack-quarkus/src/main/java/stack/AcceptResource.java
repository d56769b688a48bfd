package stack;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/** The floor's one endpoint again, through the stack: a validated JSON body persisted by Panache, 202 with the id. */
@Path("/messages")
public class AcceptResource {

    @POST
    public Uni<Response> accept(@Valid MessageRequest request) {
        Message message = new Message();
        message.id = UUID.randomUUID();
        message.body = request.to();
        message.createdAt = Instant.now();
        return Panache.withTransaction(message::persist)
                .map(saved -> Response.accepted(Map.of("id", message.id)).build());
    }
}
