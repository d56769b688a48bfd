package minimal;

import java.util.UUID;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** One endpoint, one INSERT through the reactive pool, 202 with the id: the floor's whole job. */
@Path("/messages")
public class InsertResource {

    private final Pool pool;

    InsertResource(Pool pool) {
        this.pool = pool;
    }

    @POST
    public Uni<Response> accept(String body) {
        UUID id = UUID.randomUUID();
        return pool.preparedQuery("insert into minimal_message (id, body) values ($1, $2)")
                .execute(Tuple.of(id, body))
                .map(rows -> Response.accepted("{\"id\":\"" + id + "\"}").build());
    }
}
