package wagateway.event;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestStreamElementType;

import io.quarkus.arc.profile.UnlessBuildProfile;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.support.CustomerIds;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * {@code GET /v1/events}: the callback outbox's events as Server-Sent Events, in stream order, each with its
 * stream position as SSE {@code id}; resumable with {@code Last-Event-ID} (header, or the {@code lastEventId}
 * query parameter, which EventSource cannot send as a header on its first connect).
 * <p>
 * Not in the function package (build profile {@code lambda}, docs/serverless.md): a Lambda function answers with one
 * buffered response, so a stream would hold the request until the function's timeout; there the route is a 404.
 */
@UnlessBuildProfile("lambda")
@Path("/v1/events")
@Tag(name = "Events")
public class EventStreamResource {

    private static final Pattern TYPE = Pattern.compile("[a-z]+(\\.[a-z_]+)+");

    /**
     * The contact a filter names (a phone, a business-scoped user id or its {@code c_} id) and every identifier its
     * events may be keyed by: those it holds and those it wrote with before a number or user-id change.
     */
    private static final String CONTACT = """
            select c.id, array(select k from (select c.phone union select c.user_id
                    union select i.from_phone from inbound_message i where i.contact_id = c.id
                    union select i.from_user_id from inbound_message i where i.contact_id = c.id) s(k)
                    where k is not null) as keys
            from contact c where c.id = $1 or c.phone = $1 or c.user_id = $1
            order by c.id = $1 desc, c.phone = $1 desc nulls last, c.updated_at desc limit 1""";

    private final EventStream stream;
    private final Pool pool;

    EventStreamResource(EventStream stream, Pool pool) {
        this.stream = stream;
        this.pool = pool;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    @Operation(summary = "Live event stream (SSE)", description = "message.status, message.received, ... as the "
            + "callbacks carry them, in commit order. id: the stream position; resume with Last-Event-ID. "
            + "Filters: contact (E.164, a business-scoped user id or the contact's c_ id: all of that person's "
            + "events, whichever identifier they are keyed by), types "
            + "(comma-separated). ': ping' comments keep idle streams open.")
    public Multi<OutboundSseEvent> events(@RestQuery String contact, @RestQuery String types,
            @RestQuery String lastEventId, @RestHeader("Last-Event-ID") String lastEventIdHeader, @Context Sse sse) {
        List<Problem.FieldError> errors = new ArrayList<>();
        // a person: their phone, business-scoped user id or contact id, whichever their events are keyed by
        if (contact != null && !CustomerIds.isValid(contact)) {
            errors.add(new Problem.FieldError("contact", "must be an E.164 number such as +5511987654321, a "
                    + "business-scoped user id, or a contact id (c_...)"));
        }
        Set<String> typeSet = types == null ? null : parseTypes(types, errors);
        // the header wins: a browser's automatic reconnect sends the newest position there
        String resumeFrom = lastEventIdHeader != null && !lastEventIdHeader.isBlank() ? lastEventIdHeader : lastEventId;
        Long after = resumeFrom == null || resumeFrom.isBlank() ? null : parsePosition(resumeFrom, errors);
        if (!errors.isEmpty()) {
            throw new ProblemException(new Problem("validation", "Bad Request", 400, "Invalid stream parameters", errors));
        }
        stream.admit();
        return stream.subscribe(filter(contact, typeSet), after).map(item -> sse(sse, item));
    }

    private Uni<EventFilter> filter(String contact, Set<String> types) {
        if (contact == null) {
            return Uni.createFrom().item(EventFilter.of(null, null, types));
        }
        return pool.preparedQuery(CONTACT).execute(Tuple.of(contact)).map(rows -> {
            var it = rows.iterator();
            if (!it.hasNext()) {
                // nobody the gateway knows: the events keyed by this identifier (a number only written to)
                return EventFilter.of(null, Set.of(contact), types);
            }
            Row row = it.next();
            return EventFilter.of(row.getString("id"), Set.copyOf(Arrays.asList(row.getArrayOfStrings("keys"))),
                    types);
        });
    }

    private static OutboundSseEvent sse(Sse sse, StreamItem item) {
        return switch (item.kind()) {
            case EVENT -> sse.newEventBuilder().id(String.valueOf(item.position())).name(item.event().type())
                    .data(String.class, item.event().body()).build();
            case PING -> sse.newEventBuilder().comment("ping").build();
            case LIVE -> sse.newEventBuilder().comment("live").build();
            case RESET -> sse.newEventBuilder().id(String.valueOf(item.position())).name("stream.reset")
                    .data(String.class, new JsonObject().put("type", "stream.reset").put("reason", item.reason())
                            .put("position", String.valueOf(item.position())).encode())
                    .build();
        };
    }

    private static Set<String> parseTypes(String types, List<Problem.FieldError> errors) {
        Set<String> out = new LinkedHashSet<>();
        for (String type : types.split(",")) {
            String t = type.trim();
            if (!TYPE.matcher(t).matches()) {
                errors.add(new Problem.FieldError("types", "comma-separated event types such as message.status"));
                return null;
            }
            out.add(t);
        }
        return out;
    }

    private static Long parsePosition(String value, List<Problem.FieldError> errors) {
        try {
            long position = Long.parseLong(value.trim());
            if (position >= 0) {
                return position;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(new Problem.FieldError("Last-Event-ID", "must be the id of an event this stream sent"));
        return null;
    }
}
