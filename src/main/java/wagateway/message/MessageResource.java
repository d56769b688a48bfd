package wagateway.message;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import wagateway.config.GatewayConfig;
import wagateway.support.CustomerIds;
import wagateway.support.Hmac;
import wagateway.web.ApiKeyFilter;
import wagateway.web.JsonPaths;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/** The send API (spec §2): accept, batch, read, list, cancel. */
@Path("/v1/messages")
@Tag(name = "Messages")
@Produces(MediaType.APPLICATION_JSON)
public class MessageResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    static final int MAX_IDEMPOTENCY_KEY = 255;

    private final MessageIntakeService intake;
    private final MessageRepository repository;
    private final ObjectMapper mapper;
    /** A batch item is a message: held to a single message's limit. */
    private final long maxItemBytes;

    MessageResource(MessageIntakeService intake, MessageRepository repository, ObjectMapper mapper,
            GatewayConfig config) {
        this.maxItemBytes = config.api().maxBodyBytes();
        this.intake = intake;
        this.repository = repository;
        this.mapper = mapper;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Accept a message for sending", description = "Durable in PostgreSQL before the answer. "
            + "Idempotency-Key: same key and body returns the original (200); a different body is a 409.")
    public Uni<RestResponse<MessageView>> send(JsonNode body, @RestHeader("Idempotency-Key") String idempotencyKey,
            @Context ContainerRequestContext context) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY)) {
            throw ProblemException.badRequest("invalid-idempotency-key",
                    "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        SendMessageRequest request = parse(body);
        // the canonical form makes key order and white space irrelevant to "same body"; only a replay
        // compares it, so a request without a key skips the re-serialisation and the digest
        String hash = idempotencyKey == null ? null : Hmac.sha256Hex(CanonicalJson.of(body));
        return intake.accept(request, caller(context), idempotencyKey, hash).map(accepted -> accepted.replay()
                ? RestResponse.ok(accepted.message())
                : RestResponse.ResponseBuilder.<MessageView> accepted().entity(accepted.message())
                        .location(URI.create("/v1/messages/" + accepted.message().id())).build());
    }

    /** Batch answer: one result per item, in request order. */
    @RegisterForReflection
    public record BatchResponse(int accepted, int rejected, List<MessageIntakeService.BatchItemResult> results) {
    }

    /**
     * Batch request: {@code {"messages": [ ... ]}}, read as bytes and walked item by item ({@link BatchItems}), never
     * as one JSON tree.
     */
    @POST
    @Path("/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Accept up to 1,000 messages", description = "Per-item results; one bad item does not fail the others.")
    public Uni<RestResponse<BatchResponse>> batch(byte[] body, @Context ContainerRequestContext context) {
        BatchItems request = BatchItems.of(mapper, body, maxItemBytes);
        return intake.acceptBatch(request, caller(context)).map(results -> {
            int accepted = (int) results.stream().filter(r -> r.status() == 202).count();
            return RestResponse.ResponseBuilder.<BatchResponse> create(accepted > 0 ? 202 : 400)
                    .entity(new BatchResponse(accepted, results.size() - accepted, results)).build();
        });
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A message with its status timeline, wamid, attempts and last error")
    public Uni<MessageView> get(@RestPath String id) {
        UUID uuid = parseId(id);
        return repository.findById(uuid).map(found -> MessageView.of(
                found.orElseThrow(() -> ProblemException.notFound("No message " + id)), true));
    }

    /** One page of messages, newest first. */
    @RegisterForReflection
    public record Page(List<MessageView> items, String nextCursor) {
    }

    @GET
    @Operation(summary = "List messages, newest first", description = "Cursor pagination: pass nextCursor as after.")
    public Uni<Page> list(@RestQuery String to, @RestQuery String status, @RestQuery String after,
            @RestQuery Integer limit) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (to != null && !CustomerIds.isValid(to)) {
            errors.add(new Problem.FieldError("to", "must be an E.164 phone, a business-scoped user id or a contact id"));
        }
        if (status != null && MessageStatus.parse(status).filter(s -> s.value().equals(status)).isEmpty()) {
            errors.add(new Problem.FieldError("status", "unknown status"));
        }
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            errors.add(new Problem.FieldError("limit", "must be between 1 and " + MAX_LIMIT));
        }
        UUID cursor = null;
        if (after != null) {
            try {
                cursor = UUID.fromString(after);
            } catch (IllegalArgumentException e) {
                errors.add(new Problem.FieldError("after", "not a cursor from a previous page"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(new Problem("validation", "Bad Request", 400, "Invalid query parameters", errors));
        }
        return repository.list(to, status, cursor, size + 1).map(rows -> {
            boolean more = rows.size() > size;
            List<StoredMessage> page = more ? rows.subList(0, size) : rows;
            List<MessageView> items = page.stream().map(m -> MessageView.of(m, false)).toList();
            return new Page(items, more ? page.get(page.size() - 1).id().toString() : null);
        });
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Cancel a message that is still scheduled or queued (409 otherwise)")
    public Uni<MessageView> cancel(@RestPath String id) {
        return intake.cancel(parseId(id));
    }

    private SendMessageRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("malformed-json", "The request body must be a JSON object");
        }
        try {
            return mapper.treeToValue(body, SendMessageRequest.class);
        } catch (JsonMappingException e) {
            throw new ProblemException(new Problem("validation", "Bad Request", 400, "The request has invalid fields",
                    List.of(new Problem.FieldError(JsonPaths.of(e), e.getOriginalMessage()))));
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("malformed-json", "The request body is not a message");
        }
    }

    static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("No message " + id);
        }
    }

    private static String caller(@Context ContainerRequestContext context) {
        return (String) context.getProperty(ApiKeyFilter.CALLER);
    }
}
