package wagateway.media;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import wagateway.cloudapi.MetaErrorCodes;
import wagateway.cloudapi.content.MediaLimits;
import wagateway.config.GatewayConfig;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * Uploads a file to the Cloud API for a sender, after the checks Meta would make, so a bad file costs no
 * Graph call: a supported type (415), the size limit of that type (413) and content that really is of that
 * type by its first bytes (422: a renamed executable is refused). The file stays on disk where Quarkus
 * spooled it and is streamed from there.
 */
@ApplicationScoped
public class MediaUploadService {

    private final GraphMediaClient graph;
    private final MediaCatalog catalog;
    private final GatewayConfig config;
    private final Clock clock;
    private final Vertx vertx;

    MediaUploadService(GraphMediaClient graph, MediaCatalog catalog, GatewayConfig config, Clock clock, Vertx vertx) {
        this.graph = graph;
        this.catalog = catalog;
        this.config = config;
        this.clock = clock;
        this.vertx = vertx;
    }

    Uni<MediaView> upload(FileUpload file, String declaredType, String from) {
        if (file == null) {
            throw invalid("file", "is required: a multipart part named file");
        }
        String senderName = from != null && !from.isBlank() ? from : config.defaultSender().orElse(null);
        if (senderName == null) {
            throw invalid("from", "is required (no gateway.default-sender is configured)");
        }
        GatewayConfig.Sender sender = config.senders().get(senderName);
        if (sender == null) {
            throw invalid("from",
                    "unknown sender '" + senderName + "'; configured: " + String.join(", ", config.senders().keySet()));
        }
        String declared = declaredType != null && !declaredType.isBlank() ? declaredType : file.contentType();
        MediaLimits.Kind kind = MediaLimits.of(declared).orElseThrow(() -> new ProblemException(Problem.of(
                "unsupported-media-type", "Unsupported Media Type", 415, "The Cloud API does not take files of type '"
                        + declared + "'. Supported: " + String.join(", ", MediaLimits.supportedTypes()))));
        // Checked on the spooled size first: no need to read 100 MB to refuse an oversized image.
        if (file.size() > kind.maxBytes()) {
            throw tooLarge(kind, kind.maxBytes(), file.size());
        }
        if (file.size() == 0) {
            throw unprocessable("media-empty", "The file is empty");
        }
        String filename = file.fileName() == null || file.fileName().isBlank() ? null : file.fileName();
        return FileFacts.read(vertx, file.uploadedFile().toString(), MediaLimits.SNIFF_BYTES).chain(facts -> {
            long max = MediaLimits.maxBytes(kind, facts.head(), facts.headLength());
            if (facts.size() > max) {
                throw tooLarge(kind, max, facts.size());
            }
            if (!MediaLimits.signatureMatches(kind, facts.head(), facts.headLength())) {
                throw unprocessable("media-content-mismatch", "The file's content is not " + kind.mimeType()
                        + " (its first bytes do not match that type); nothing was uploaded");
            }
            return graph.upload(sender, file.uploadedFile(), kind.mimeType(), filename != null ? filename : "upload")
                    .onFailure().transform(MediaProblems::fromFailure)
                    .chain(reply -> {
                        if (!reply.ok() || !reply.body().hasNonNull("id")) {
                            throw uploadRefused(reply);
                        }
                        Instant now = clock.instant();
                        StoredMedia stored = new StoredMedia(reply.body().get("id").asText(), StoredMedia.Origin.UPLOADED,
                                senderName, sender.phoneNumberId(), kind.mimeType(), facts.sha256(), filename, facts.size(),
                                now.plus(config.media().uploadRetention()), null);
                        Log.debugf("Uploaded media %s for sender %s (%s, %d bytes)", stored.id(), senderName,
                                stored.mimeType(), facts.size());
                        return catalog.recordUpload(stored, now).replaceWith(view(stored));
                    });
        });
    }

    private static MediaView view(StoredMedia media) {
        return new MediaView(media.id(), media.sender(), media.mimeType(), media.sizeBytes(), media.sha256(),
                media.filename(), media.expiresAt().toString());
    }

    private static ProblemException uploadRefused(GraphReply reply) {
        if (MediaProblems.isAuth(reply)) {
            return MediaProblems.fromGraph(reply, "upload the media");
        }
        Integer code = reply.errorCode();
        if (code != null && code == MetaErrorCodes.MEDIA_NOT_FOUND) {
            // We checked type, size and content: if Meta still refuses the file, say what Meta said.
            return new ProblemException(Problem.of("media-refused", "Unprocessable Content", 422,
                    "The Cloud API refused the file: " + reply.errorMessage()).with("cloudApiCode", code));
        }
        // Anything else (an unknown phone-number id, a missing parameter) is our configuration or our bug.
        return new ProblemException(Problem.of("cloud-api-error", "Bad Gateway", 502,
                "The Cloud API refused the upload: " + reply.errorMessage()).with("cloudApiCode", code));
    }

    private static ProblemException tooLarge(MediaLimits.Kind kind, long max, long size) {
        return new ProblemException(Problem.of("media-too-large", "Content Too Large", 413, "A " + kind.mimeType() + " file ("
                + kind.messageType() + ") may be at most " + MediaLimits.describe(max) + " (" + max + " bytes); this one is "
                + size + " bytes").with("maxBytes", max));
    }

    private static ProblemException unprocessable(String slug, String detail) {
        return new ProblemException(Problem.of(slug, "Unprocessable Content", 422, detail));
    }

    private static ProblemException invalid(String field, String message) {
        return new ProblemException(new Problem("validation", "Bad Request", 400, "The request has invalid fields",
                List.of(new Problem.FieldError(field, message))));
    }
}
