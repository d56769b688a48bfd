package wagateway.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import wagateway.cloudapi.content.MediaLimits;
import wagateway.config.GatewayConfig;

/**
 * Answers an oversized body with a 413 problem document before it is read. Vert.x would answer 413
 * too, but as plain text; this keeps every error in one format (requests that declare their length).
 *
 * <p>
 * The limit is per route: media uploads ({@code POST /v1/media}, and the sandbox's
 * {@code POST /sandbox/graph/{version}/{phone-number-id}/media}) may carry the Cloud API's largest file plus
 * multipart overhead; every other route {@code gateway.api.max-body-bytes}. The framework's own cap
 * ({@code quarkus.http.limits.max-body-size}) is set to the media limit, so this filter is what holds the
 * other routes to theirs. That holds only for bodies that declare their length, so a chunked body (no
 * {@code Content-Length}) is refused with 411 on every route but the uploads: otherwise anyone could stream
 * 100 MB into the unauthenticated webhook endpoint, which must read a body whole to check its signature.
 */
@ApplicationScoped
public class BodySizeLimit {

    /** Room for the multipart boundaries and the small form fields next to the file. */
    static final long MULTIPART_OVERHEAD = 1024 * 1024;

    private final long maxBytes;
    private final long mediaMaxBytes;

    BodySizeLimit(GatewayConfig config) {
        this.maxBytes = config.api().maxBodyBytes();
        this.mediaMaxBytes = MediaLimits.largestMax() + MULTIPART_OVERHEAD;
    }

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            String length = rc.request().getHeader("Content-Length");
            long limit = isMediaUpload(rc.request().method(), rc.request().path()) ? mediaMaxBytes : maxBytes;
            if (length == null && limit == maxBytes && rc.request().getHeader("Transfer-Encoding") != null) {
                rc.response().setStatusCode(411).putHeader("Content-Type", Problem.MEDIA_TYPE).putHeader("Connection", "close")
                        .end("{\"type\":\"about:blank\",\"title\":\"Length Required\",\"status\":411,"
                                + "\"detail\":\"Send the body with a Content-Length (at most " + limit + " bytes)\"}");
                return;
            }
            if (length != null && isOver(length, limit)) {
                rc.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE).putHeader("Connection", "close")
                        .end("{\"type\":\"about:blank\",\"title\":\"Content Too Large\",\"status\":413,"
                                + "\"detail\":\"The body exceeds " + limit + " bytes\"}");
                return;
            }
            rc.next();
        }, 100);
    }

    static boolean isMediaUpload(HttpMethod method, String path) {
        return HttpMethod.POST.equals(method) && path != null
                && (path.equals("/v1/media") || path.startsWith("/sandbox/graph/") && path.endsWith("/media"));
    }

    private static boolean isOver(String length, long limit) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
