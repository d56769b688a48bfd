package wagateway.media;

import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import wagateway.config.GatewayConfig;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * Everything a download needs before the first byte: which media it is, whose token fetches it, and what the
 * Cloud API says about it now (a fresh download URL). Every refusal here is still a clean problem answer.
 */
@ApplicationScoped
public class MediaLookup {

    /** A media id ready to be downloaded. {@code expectedSha256} is base64; null when nobody told us. */
    record Ready(StoredMedia media, GatewayConfig.Sender sender, String url, String mimeType, Long size,
            String expectedSha256) {
    }

    private final MediaCatalog catalog;
    private final GraphMediaClient graph;
    private final GatewayConfig config;
    private final Clock clock;

    MediaLookup(MediaCatalog catalog, GraphMediaClient graph, GatewayConfig config, Clock clock) {
        this.catalog = catalog;
        this.graph = graph;
        this.config = config;
        this.clock = clock;
    }

    /** The media id, known and not expired, with its owner's sender; 404 / 410 / 502 problems otherwise. */
    Uni<StoredMedia> known(String mediaId) {
        return catalog.find(mediaId).map(found -> {
            StoredMedia media = found.orElseThrow(() -> MediaProblems.notFound(mediaId));
            if (media.deletedAt() != null) {
                throw MediaProblems.gone("Media " + mediaId + " was deleted at " + media.deletedAt());
            }
            if (media.goneAt(clock.instant())) {
                throw MediaProblems.gone("Media " + mediaId + " expired at " + media.expiresAt() + " (the Cloud API keeps "
                        + (media.origin() == StoredMedia.Origin.INBOUND ? "a customer's media 7 days" : "uploads 30 days")
                        + ")");
            }
            if (media.sender() == null || !config.senders().containsKey(media.sender())) {
                throw new ProblemException(Problem.of("unknown-sender", "Bad Gateway", 502, "Media " + mediaId
                        + " belongs to phone number " + media.phoneNumberId() + ", which is not a configured sender"));
            }
            return media;
        });
    }

    Uni<Ready> prepare(String mediaId) {
        return known(mediaId).chain(media -> {
            GatewayConfig.Sender sender = config.senders().get(media.sender());
            return graph.describe(sender, mediaId).onFailure().transform(MediaProblems::fromFailure).map(reply -> {
                if (!reply.ok()) {
                    throw MediaProblems.fromGraph(reply, "describe the media");
                }
                JsonNode body = reply.body();
                String url = body.path("url").asText("");
                if (url.isEmpty()) {
                    throw new ProblemException(Problem.of("cloud-api-error", "Bad Gateway", 502,
                            "The Cloud API described the media without a download URL"));
                }
                String expected = media.sha256() != null ? media.sha256() : base64Sha256(body.path("sha256").asText(null));
                String mime = media.mimeType() != null ? media.mimeType()
                        : body.path("mime_type").asText("application/octet-stream");
                Long size = body.hasNonNull("file_size") ? body.get("file_size").asLong() : media.sizeBytes();
                return new Ready(media, sender, url, mime, size, expected);
            });
        });
    }

    /**
     * Webhooks carry the digest in base64; some of Meta's {@code GET /{media-id}} answers have been seen with
     * hex. Either way the comparison is done in base64.
     */
    static String base64Sha256(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() == 64 && value.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(value));
        }
        return value;
    }
}
