package wagateway.sandbox;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.mutiny.Uni;
import wagateway.web.ProblemException;

/**
 * What the sandbox holds as media, and the per-media faults: corrupt the served bytes, expire the id, stall a
 * download half-way until released. Tests use the list to prove that a refused upload stored nothing.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@Path("/sandbox/media")
@Tag(name = "Sandbox: media")
@Produces(MediaType.APPLICATION_JSON)
public class SandboxMediaResource {

    private final SandboxMediaStore store;

    SandboxMediaResource(SandboxMediaStore store) {
        this.store = store;
    }

    @GET
    @Operation(summary = "Every media file the sandbox holds (uploaded and sent by customers), without the bytes")
    public Uni<List<SandboxMedia.MediaView>> all() {
        return Uni.createFrom().item(() -> store.all().stream().map(m -> m.view(store.now())).toList());
    }

    @GET
    @Path("/{mediaId}")
    @Operation(summary = "One media file")
    public Uni<SandboxMedia.MediaView> one(@RestPath String mediaId) {
        return Uni.createFrom().item(() -> find(mediaId).view(store.now()));
    }

    @PUT
    @Path("/{mediaId}/faults")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Corrupt the served bytes, expire the id, or stall downloads after N bytes")
    public Uni<SandboxMedia.MediaView> faults(@RestPath String mediaId, SandboxMedia.MediaFaults faults) {
        return Uni.createFrom().item(() -> {
            SandboxMedia media = find(mediaId);
            if (faults != null && faults.corrupt() != null) {
                media.corrupt = faults.corrupt();
            }
            if (faults != null && Boolean.TRUE.equals(faults.expired())) {
                media.expiresAt = store.now();
            }
            if (faults != null && faults.stallAfterBytes() != null) {
                media.release.complete(null);
                media.release = new CompletableFuture<>();
                media.stallAfterBytes = faults.stallAfterBytes();
            }
            return media.view(store.now());
        });
    }

    @POST
    @Path("/{mediaId}/release")
    @Operation(summary = "Let stalled downloads of this media finish (and stop stalling new ones)")
    public Uni<SandboxMedia.MediaView> release(@RestPath String mediaId) {
        return Uni.createFrom().item(() -> {
            SandboxMedia media = find(mediaId);
            media.stallAfterBytes = -1;
            media.release.complete(null);
            return media.view(store.now());
        });
    }

    private SandboxMedia find(String mediaId) {
        return store.any(mediaId).orElseThrow(() -> ProblemException.notFound("No sandbox media " + mediaId));
    }
}
