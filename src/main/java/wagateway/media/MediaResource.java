package wagateway.media;

import java.time.Clock;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.smallrye.mutiny.Uni;
import wagateway.cloudapi.MetaErrorCodes;
import wagateway.config.GatewayConfig;

/**
 * Media out: upload a file for use in messages, delete it. ({@code GET /v1/media/{mediaId}}, which streams a
 * file, is {@link MediaDownloadRoute}.)
 */
@Path("/v1/media")
@Tag(name = "Media")
public class MediaResource {

    private final MediaUploadService uploads;
    private final MediaLookup lookup;
    private final GraphMediaClient graph;
    private final MediaCatalog catalog;
    private final GatewayConfig config;
    private final Clock clock;

    MediaResource(MediaUploadService uploads, MediaLookup lookup, GraphMediaClient graph, MediaCatalog catalog,
            GatewayConfig config, Clock clock) {
        this.uploads = uploads;
        this.lookup = lookup;
        this.graph = graph;
        this.catalog = catalog;
        this.config = config;
        this.clock = clock;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upload a file (multipart: file, optional type and from); answers the media id for messages")
    public Uni<Response> upload(@RestForm("file") FileUpload file, @RestForm("type") String type,
            @RestForm("from") String from) {
        return uploads.upload(file, type, from)
                .map(view -> Response.status(201).type(MediaType.APPLICATION_JSON).entity(view).build());
    }

    @DELETE
    @Path("/{mediaId}")
    @Operation(summary = "Delete an uploaded file from the Cloud API; 410 once deleted or expired")
    public Uni<Response> delete(@RestPath String mediaId) {
        return lookup.known(mediaId).chain(media -> {
            if (media.origin() != StoredMedia.Origin.UPLOADED) {
                throw MediaProblems.notFound(mediaId);
            }
            return graph.delete(config.senders().get(media.sender()), mediaId)
                    .onFailure().transform(MediaProblems::fromFailure)
                    .chain(reply -> {
                        // Already gone at Meta (deleted elsewhere, expired early): our record follows.
                        if (!reply.ok()
                                && !(reply.errorCode() != null && reply.errorCode() == MetaErrorCodes.INVALID_PARAMETER)) {
                            throw MediaProblems.fromGraph(reply, "delete the media");
                        }
                        return catalog.markDeleted(mediaId, clock.instant());
                    });
        }).replaceWith(Response.noContent().build());
    }
}
