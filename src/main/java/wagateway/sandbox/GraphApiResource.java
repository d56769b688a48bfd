package wagateway.sandbox;

import java.net.URI;
import java.time.Duration;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.core.Vertx;
import wagateway.config.GatewayConfig;

/**
 * The simulated Graph API under {@code /sandbox/graph}: point {@code gateway.cloud-api.base-url} here.
 * Any version string is accepted. Connection faults (reset, timeout) and latency are applied here,
 * where the HTTP exchange is; everything else is {@link GraphSendService}.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@Path("/sandbox/graph")
@Tag(name = "Sandbox: Graph API")
public class GraphApiResource {

    private final GraphSendService service;
    private final FaultInjector faults;
    private final Vertx vertx;
    private final Duration clientTimeout;

    private final GraphMediaService mediaService;
    private final GraphTemplateService templateService;

    GraphApiResource(GraphSendService service, GraphMediaService mediaService, GraphTemplateService templateService,
            FaultInjector faults, Vertx vertx, GatewayConfig config) {
        this.templateService = templateService;
        this.mediaService = mediaService;
        this.service = service;
        this.faults = faults;
        this.vertx = vertx;
        this.clientTimeout = config.cloudApi().timeout();
    }

    @POST
    @Path("/{version}/{phoneNumberId}/messages")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send a message (or mark one read) as the WhatsApp Cloud API does")
    public Uni<Response> send(@RestPath String version, @RestPath String phoneNumberId,
            @RestHeader(HttpHeaders.AUTHORIZATION) String authorization, String body, @Context HttpServerRequest request) {
        switch (faults.connectionFault()) {
            case RESET:
                request.connection().close();
                return Uni.createFrom().nothing();
            case TIMEOUT:
                // Longer than the client waits; the request is never processed, as when Meta's front end stalls.
                return after(clientTimeout.plusSeconds(1)).invoke(() -> request.connection().close())
                        .chain(() -> Uni.createFrom().nothing());
            default:
                break;
        }
        // Processed at once, answered after the latency: a client that gives up early has still sent the
        // message, as with a slow Meta (and the sandbox's own records stay in step with the request).
        Duration latency = faults.latency();
        return Uni.createFrom().item(() -> service.send(phoneNumberId, authorization, body))
                .call(answer -> after(latency))
                .map(answer -> Response.status(answer.status()).type(MediaType.APPLICATION_JSON).entity(answer.body()).build());
    }

    @GET
    @Path("/{version}/{mediaId}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Describe a media id: a download URL valid 5 minutes, type, sha256, size")
    public Uni<Response> describeMedia(@RestPath String version, @RestPath String mediaId,
            @RestHeader(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest request) {
        URI self = URI.create(request.absoluteURI());
        String base = self.getScheme() + "://" + self.getRawAuthority();
        return Uni.createFrom().item(() -> json(mediaService.describe(mediaId, authorization, base)));
    }

    @GET
    @Path("/{version}/{wabaId}/message_templates")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "List the account's message templates, paged (limit, after) as the Graph API does")
    public Uni<Response> messageTemplates(@RestPath String version, @RestPath String wabaId,
            @RestHeader(HttpHeaders.AUTHORIZATION) String authorization, @RestQuery String after,
            @RestQuery Integer limit, @Context HttpServerRequest request) {
        URI self = URI.create(request.absoluteURI());
        String selfUrl = self.getScheme() + "://" + self.getRawAuthority() + self.getRawPath();
        return Uni.createFrom().item(() -> json(templateService.list(wabaId, authorization, after, limit, selfUrl)));
    }

    @DELETE
    @Path("/{version}/{mediaId}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Delete an uploaded media id")
    public Uni<Response> deleteMedia(@RestPath String version, @RestPath String mediaId,
            @RestHeader(HttpHeaders.AUTHORIZATION) String authorization) {
        return Uni.createFrom().item(() -> json(mediaService.delete(mediaId, authorization)));
    }

    @POST
    @Path("/{version}/{phoneNumberId}/media")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upload media (multipart: messaging_product, type, file) as the Cloud API does")
    public Uni<Response> uploadMedia(@RestPath String version, @RestPath String phoneNumberId,
            @RestHeader(HttpHeaders.AUTHORIZATION) String authorization,
            @RestForm("messaging_product") String messagingProduct, @RestForm("type") String type,
            @RestForm("file") FileUpload file) {
        return mediaService.upload(phoneNumberId, authorization, messagingProduct, type, file).map(GraphApiResource::json);
    }

    private static Response json(GraphAnswer answer) {
        return Response.status(answer.status()).type(MediaType.APPLICATION_JSON).entity(answer.body()).build();
    }

    /** Completes after {@code delay} on a Vert.x timer: nothing waits on a thread. */
    private Uni<Void> after(Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().emitter(emitter -> vertx.setTimer(delay.toMillis(), id -> emitter.complete(null)));
    }
}
