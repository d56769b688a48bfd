package wagateway.receipt;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import wagateway.web.JsonPaths;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/** Read receipts for customer messages (issue 10): ask once, the sender's dispatcher sends it. */
@Path("/v1/messages/{id}/read")
@Tag(name = "Messages")
@Produces(MediaType.APPLICATION_JSON)
public class ReadReceiptResource {

    private final ReadRequests requests;
    private final ObjectMapper mapper;

    ReadReceiptResource(ReadRequests requests, ObjectMapper mapper) {
        this.requests = requests;
        this.mapper = mapper;
    }

    /**
     * 202 when this request asked for the receipt, 200 with the current state when it was asked for before
     * (by an earlier request or by mark-on-arrival): a receipt goes once, and a repeated call is safe.
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Mark a customer's message read (optionally with a typing indicator)", description = "Takes our inbound message id (the messageId of message.received) or the wamid. "
            + "Body optional: {\"typing\": true}. 202 the first time, 200 with the current state after; "
            + "404 unknown, 422 for a message the business sent.")
    public Uni<RestResponse<ReadReceiptView>> read(@RestPath String id, String body) {
        boolean typing = parse(body);
        return requests.request(id, typing)
                .map(r -> RestResponse.ResponseBuilder.<ReadReceiptView> create(r.first() ? 202 : 200)
                        .entity(r.view()).build());
    }

    private boolean parse(String body) {
        if (body == null || body.isBlank()) {
            return false;
        }
        try {
            ReadRequestBody parsed = mapper.readValue(body, ReadRequestBody.class);
            if (parsed == null) {
                throw ProblemException.badRequest("malformed-json",
                        "The body must be a JSON object such as {\"typing\": true}");
            }
            return Boolean.TRUE.equals(parsed.typing());
        } catch (JsonMappingException e) {
            throw new ProblemException(new Problem("validation", "Bad Request", 400, "The request has invalid fields",
                    List.of(new Problem.FieldError(JsonPaths.of(e), e.getOriginalMessage()))));
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("malformed-json", "The body must be a JSON object such as {\"typing\": true}");
        }
    }
}
