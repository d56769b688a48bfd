package stack;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/** A reactive REST client, as the gateway's Cloud API client. */
@RegisterRestClient(configKey = "cloud-api")
@Path("/messages")
public interface CloudApi {
    @POST
    Uni<JsonNode> send(JsonNode body);
}
