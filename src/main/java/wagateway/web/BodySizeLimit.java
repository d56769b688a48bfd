package wagateway.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import wagateway.cloudapi.content.MediaLimits;
import wagateway.config.GatewayConfig;

/**
 * Bounds every request body by the bytes that actually arrive, per route, and by the time they take: 413
 * problem as soon as the count (or a declared {@code Content-Length}) passes the route's limit, 408 problem
 * when the whole body has not arrived within {@code gateway.http.body-timeout}; either way the connection is
 * closed (HTTP/1.1) or the stream reset (HTTP/2). Chunked bodies and HTTP/2 streams without a length are
 * counted like any other, so proxies that drop {@code Content-Length} work up to the same limits.
 *
 * <p>
 * Limits: the webhook {@code gateway.webhook.max-body-bytes} (it is read whole before its signature can be
 * checked), the batch {@code gateway.api.max-batch-body-bytes}, every other route
 * {@code gateway.api.max-body-bytes}. Media uploads ({@code POST /v1/media}, and the sandbox's
 * {@code POST /sandbox/graph/{version}/{phone-number-id}/media}) may carry the Cloud API's largest file plus
 * multipart overhead: they are checked by their declared length only and left to the multipart reader, which
 * streams them to disk under the framework's cap ({@code quarkus.http.limits.max-body-size}); buffering them
 * here would hold 100 MiB in the heap.
 *
 * <p>
 * Every other body is read here, into memory, and handed on whole ({@link RoutingContext#setBody}), which
 * Quarkus REST reads instead of the request: the same bytes it would have buffered itself, but counted. Over
 * HTTP/2 the request, once read, is routed again as a {@link ReadBodyRequest} (see there why).
 */
@ApplicationScoped
public class BodySizeLimit {

    /** Room for the multipart boundaries and the small form fields next to the file. */
    static final long MULTIPART_OVERHEAD = 1024 * 1024;

    private final Vertx vertx;
    private final long apiMaxBytes;
    private final long batchMaxBytes;
    private final long webhookMaxBytes;
    private final long mediaMaxBytes;
    private final long timeoutMillis;
    private final BodyBudget budget;
    /** HTTP/2 bodies read and routed again, by their response, until this filter meets them again. */
    private final Map<HttpServerResponse, Buffer> routedAgain = new ConcurrentHashMap<>();
    private Router router;

    BodySizeLimit(GatewayConfig config, Vertx vertx) {
        this.vertx = vertx;
        this.apiMaxBytes = config.api().maxBodyBytes();
        this.batchMaxBytes = config.api().maxBatchBodyBytes();
        this.webhookMaxBytes = config.webhook().maxBodyBytes();
        this.mediaMaxBytes = MediaLimits.largestMax() + MULTIPART_OVERHEAD;
        this.timeoutMillis = config.http().bodyTimeout().toMillis();
        this.budget = new BodyBudget(config.http().maxBufferedBodyBytes());
    }

    void register(@Observes Filters filters) {
        filters.register(this::handle, 100);
    }

    void router(@Observes Router router) {
        this.router = router;
    }

    void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        Buffer read = routedAgain.remove(rc.response());
        if (read != null) {
            rc.setBody(read);
            rc.next();
            return;
        }
        boolean media = isMediaUpload(request.method(), request.path());
        long limit = media ? mediaMaxBytes : limitFor(request.method(), request.path());
        long declared = declaredLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
        if (declared > limit) {
            BodyReader.refuse(rc, 413, "Content Too Large", "The body exceeds " + limit + " bytes");
            return;
        }
        if (media || request.isEnded() || !mayHaveBody(request, declared)) {
            rc.next();
            return;
        }
        new BodyReader(vertx, rc, limit, timeoutMillis, budget, this::handOver).read();
    }

    /** Passes a body read in full to the routes after this filter. */
    private void handOver(RoutingContext rc, Buffer body) {
        HttpServerRequest request = rc.request();
        if (request.version() != HttpVersion.HTTP_2) {
            rc.setBody(body);
            rc.next();
            return;
        }
        HttpServerResponse response = rc.response();
        routedAgain.put(response, body);
        try {
            router.handle(new ReadBodyRequest((HttpServerRequestInternal) request, body));
        } finally {
            routedAgain.remove(response);
        }
    }

    /** HTTP/1.1 frames a body by Content-Length or Transfer-Encoding; an HTTP/2 stream not yet ended may carry one. */
    private static boolean mayHaveBody(HttpServerRequest request, long declared) {
        if (request.version() == HttpVersion.HTTP_2) {
            return true;
        }
        return declared > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    long limitFor(HttpMethod method, String path) {
        if (HttpMethod.POST.equals(method) && "/webhooks/whatsapp".equals(path)) {
            return webhookMaxBytes;
        }
        if (HttpMethod.POST.equals(method) && "/v1/messages/batch".equals(path)) {
            return batchMaxBytes;
        }
        return apiMaxBytes;
    }

    static boolean isMediaUpload(HttpMethod method, String path) {
        return HttpMethod.POST.equals(method) && path != null
                && (path.equals("/v1/media") || path.startsWith("/sandbox/graph/") && path.endsWith("/media"));
    }

    /** The declared length, or -1 when there is none or it is not a number (the framework answers that). */
    private static long declaredLength(String length) {
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
