package wagateway.conversation;

import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import io.smallrye.mutiny.Uni;
import wagateway.support.CustomerIds;
import wagateway.web.Problem;

/**
 * {@code GET /v1/contacts/{phone}/messages}: one customer's thread for an agent. Its own root path (not a
 * method of the contact resource) so the conversation feature stays in this package; JAX-RS picks the longer
 * literal path.
 */
@Path("/v1/contacts/{id}/messages")
@Tag(name = "Conversations")
@Produces(MediaType.APPLICATION_JSON)
public class ThreadResource {

    private final ThreadReader threads;

    ThreadResource(ThreadReader threads) {
        this.threads = threads;
    }

    /**
     * Newest first, because a chat UI opens a thread at its end and scrolls back; pass {@code nextCursor} as
     * {@code after} for older messages, as with {@code GET /v1/messages}. A number without any message is an
     * empty thread, not a 404: the agent may be about to write first.
     */
    @GET
    @Operation(summary = "One customer's thread, newest first", description = "Inbound and outbound interleaved "
            + "in time order, with the contact's consent and window. Cursor pagination: pass nextCursor as after.")
    public Uni<ThreadPage> thread(@RestPath String id, @RestQuery Integer limit, @RestQuery String after) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (!CustomerIds.isValid(id)) {
            errors.add(new Problem.FieldError("id", "must be an E.164 number such as +5511987654321, a WhatsApp "
                    + "business-scoped user id, or a contact id (c_...)"));
        }
        int size = PageParams.limit(limit, errors);
        Cursor cursor = PageParams.cursor(after, errors, true);
        PageParams.failOn(errors);
        return threads.page(id, cursor, size);
    }
}
