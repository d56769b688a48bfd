package wagateway.sandbox;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.resteasy.reactive.multipart.FileUpload;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import wagateway.cloudapi.content.MediaLimits;

/**
 * The simulated media endpoints of the Graph API: upload ({@code POST /{phone-number-id}/media}), describe
 * ({@code GET /{media-id}}, which hands out a download URL) and delete. Checks what Meta checks: the token,
 * that the media belongs to the token's number, the type, the size per type and (as Meta's media processing
 * does) that the file's content is of the declared type.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class GraphMediaService {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final GraphSendService sends;
    private final SandboxMediaStore store;
    private final Vertx vertx;
    private final SandboxActivity activity;
    private final FaultInjector faults;

    GraphMediaService(GraphSendService sends, SandboxMediaStore store, Vertx vertx, SandboxActivity activity,
            FaultInjector faults) {
        this.faults = faults;
        this.sends = sends;
        this.store = store;
        this.vertx = vertx;
        this.activity = activity;
    }

    GraphAnswer describe(String mediaId, String authorization, String baseUrl) {
        // The burst5xx knob covers media calls too, so a client's handling of an unwell API can be tested here.
        if (faults.takeBurst()) {
            return GraphAnswer.error(GraphErrors.serverError(503));
        }
        Optional<SandboxMedia> found = store.live(mediaId);
        Optional<GraphError> denied = found.isEmpty() ? Optional.of(GraphErrors.unknownMedia("get", mediaId))
                : ownerCheck(found.get(), authorization, "get");
        if (denied.isPresent()) {
            return GraphAnswer.error(denied.get());
        }
        SandboxMedia media = found.get();
        ObjectNode answer = JSON.objectNode();
        answer.put("messaging_product", "whatsapp");
        answer.put("url", baseUrl + SandboxMediaDownload.PATH + store.grant(media.id));
        answer.put("mime_type", media.mimeType);
        answer.put("sha256", media.sha256);
        answer.put("file_size", media.bytes.length);
        answer.put("id", media.id);
        return new GraphAnswer(200, answer);
    }

    GraphAnswer delete(String mediaId, String authorization) {
        Optional<SandboxMedia> found = store.live(mediaId);
        Optional<GraphError> denied = found.isEmpty() ? Optional.of(GraphErrors.unknownMedia("delete", mediaId))
                : ownerCheck(found.get(), authorization, "delete");
        if (denied.isPresent()) {
            return GraphAnswer.error(denied.get());
        }
        store.delete(mediaId);
        activity.publish("media", mediaId);
        return new GraphAnswer(200, JSON.objectNode().put("success", true));
    }

    Uni<GraphAnswer> upload(String phoneNumberId, String authorization, String messagingProduct, String type,
            FileUpload file) {
        Optional<GraphError> denied = sends.authorize(phoneNumberId, authorization);
        if (denied.isPresent()) {
            return Uni.createFrom().item(GraphAnswer.error(denied.get()));
        }
        if (messagingProduct == null || messagingProduct.isBlank()) {
            return error(GraphErrors.requiredParameter("messaging_product"));
        }
        if (!"whatsapp".equals(messagingProduct)) {
            return error(GraphErrors.invalidParameter("messaging_product must be whatsapp"));
        }
        if (file == null) {
            return error(GraphErrors.requiredParameter("file"));
        }
        String declared = type != null && !type.isBlank() ? type : file.contentType();
        Optional<MediaLimits.Kind> kind = MediaLimits.of(declared);
        if (kind.isEmpty()) {
            return error(GraphErrors.mediaError("Param file must be a file with one of the following types: "
                    + String.join(", ", MediaLimits.supportedTypes()) + ". Received file of type '" + declared + "'."));
        }
        // The limit of the largest type first: a 1 GB body is not read into memory to find out it is too big.
        if (file.size() > kind.get().maxBytes()) {
            return error(tooLarge(kind.get(), kind.get().maxBytes(), file.size()));
        }
        return vertx.fileSystem().readFile(file.uploadedFile().toString()).map(buffer -> {
            byte[] bytes = buffer.getBytes();
            int head = Math.min(bytes.length, MediaLimits.SNIFF_BYTES);
            long max = MediaLimits.maxBytes(kind.get(), bytes, head);
            if (bytes.length > max) {
                return GraphAnswer.error(tooLarge(kind.get(), max, bytes.length));
            }
            if (!MediaLimits.signatureMatches(kind.get(), bytes, head)) {
                return GraphAnswer.error(GraphErrors.mediaError("The file's content is not of type " + kind.get().mimeType()));
            }
            SandboxMedia stored = store.add(phoneNumberId, kind.get().mimeType(), bytes, file.fileName(), "uploaded");
            activity.publish("media", stored.id);
            Log.debugf("Sandbox stored uploaded media %s (%s, %d bytes)", stored.id, stored.mimeType, bytes.length);
            return new GraphAnswer(200, JSON.objectNode().put("id", stored.id));
        });
    }

    /** The token must be the one of the number that owns the media; Meta answers as if it did not exist. */
    private Optional<GraphError> ownerCheck(SandboxMedia media, String authorization, String verb) {
        Optional<GraphError> denied = sends.authorize(media.phoneNumberId, authorization);
        if (denied.isPresent() && denied.get().code() == 100) {
            return Optional.of(GraphErrors.unknownMedia(verb, media.id));
        }
        return denied;
    }

    private static GraphError tooLarge(MediaLimits.Kind kind, long max, long size) {
        return GraphErrors.mediaError("File of type " + kind.mimeType() + " is " + size + " bytes; the limit is "
                + MediaLimits.describe(max));
    }

    private static Uni<GraphAnswer> error(GraphError error) {
        return Uni.createFrom().item(GraphAnswer.error(error));
    }
}
