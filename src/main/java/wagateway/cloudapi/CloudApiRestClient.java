package wagateway.cloudapi;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Uni;

/**
 * The Graph API endpoints we call. Package-private: everything goes through {@link CloudApiClient},
 * which adds the timeout and the circuit breaker. Base URL: {@code gateway.cloud-api.base-url}.
 */
@RegisterRestClient(configKey = "cloud-api")
@Path("/{version}/{phoneNumberId}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface CloudApiRestClient {

    @POST
    @Path("/messages")
    Uni<JsonNode> messages(@RestPath String version, @RestPath String phoneNumberId,
            @RestHeader("Authorization") String authorization, JsonNode body);

    /** Meta answers errors as {@code {"error":{...}}}; keep code, title and details, whatever the HTTP status. */
    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        if (response.getStatus() < 400) {
            return null;
        }
        String body = null;
        try {
            body = response.readEntity(String.class);
        } catch (RuntimeException e) {
            // no body: the status alone will have to do
        }
        return CloudApiException.fromResponse(response.getStatus(), body);
    }
}
