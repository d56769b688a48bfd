package wagateway.conversation;

import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import io.smallrye.mutiny.Uni;
import wagateway.web.Problem;

/** {@code GET /v1/conversations}: the agent's inbox, most recent activity first, with opaque cursors. */
@Path("/v1/conversations")
@Tag(name = "Conversations")
@Produces(MediaType.APPLICATION_JSON)
public class ConversationResource {

    private final ConversationLister conversations;

    ConversationResource(ConversationLister conversations) {
        this.conversations = conversations;
    }

    @GET
    @Operation(summary = "Conversations, most recent activity first", description = "Last message either way, "
            + "unread inbound count, window. Cursor pagination: pass nextCursor as after.")
    public Uni<ConversationPage> conversations(@RestQuery Integer limit, @RestQuery String after) {
        List<Problem.FieldError> errors = new ArrayList<>();
        int size = PageParams.limit(limit, errors);
        Cursor cursor = PageParams.cursor(after, errors, false);
        PageParams.failOn(errors);
        return conversations.page(cursor, size);
    }
}
