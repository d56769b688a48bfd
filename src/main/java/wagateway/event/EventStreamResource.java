package wagateway.event;

import java.util.ArrayList;
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
import io.vertx.core.json.JsonObject;
import wagateway.support.CustomerIds;
import wagateway.support.PhoneNumbers;
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

    private final EventStream stream;

    EventStreamResource(EventStream stream) {
        this.stream = stream;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    @Operation(summary = "Live event stream (SSE)", description = "message.status, message.received, ... as the "
            + "callbacks carry them, in commit order. id: the stream position; resume with Last-Event-ID. "
            + "Filters: contact (E.164, or the business-scoped user id of a customer without phone), types "
            + "(comma-separated). ': ping' comments keep idle streams open.")
    public Multi<OutboundSseEvent> events(@RestQuery String contact, @RestQuery String types,
            @RestQuery String lastEventId, @RestHeader("Last-Event-ID") String lastEventIdHeader, @Context Sse sse) {
        List<Problem.FieldError> errors = new ArrayList<>();
        // a customer without phone (a username) has their events under their business-scoped user id
        if (contact != null && !PhoneNumbers.isE164(contact) && !CustomerIds.isUserId(contact)) {
            errors.add(new Problem.FieldError("contact", "must be an E.164 number such as +5511987654321, or a "
                    + "business-scoped user id"));
        }
        Set<String> typeSet = types == null ? null : parseTypes(types, errors);
        // the header wins: a browser's automatic reconnect sends the newest position there
        String resumeFrom = lastEventIdHeader != null && !lastEventIdHeader.isBlank() ? lastEventIdHeader : lastEventId;
        Long after = resumeFrom == null || resumeFrom.isBlank() ? null : parsePosition(resumeFrom, errors);
        if (!errors.isEmpty()) {
            throw new ProblemException(new Problem("validation", "Bad Request", 400, "Invalid stream parameters", errors));
        }
        stream.admit();
        return stream.subscribe(new EventFilter(contact, typeSet), after).map(item -> sse(sse, item));
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
