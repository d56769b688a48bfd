package wagateway.media;

import java.net.URI;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.multipart.MultipartForm;
import wagateway.config.GatewayConfig;

/**
 * The Cloud API's media endpoints: {@code GET /{media-id}} (describe: download URL, type, sha256, size),
 * {@code POST /{phone-number-id}/media} (upload, streamed from the spooled file) and
 * {@code DELETE /{media-id}}, plus the download itself. Guarded like {@link wagateway.cloudapi.CloudApiClient},
 * declared once in {@link #guard}: a timeout on the small calls and a circuit breaker per call kind, apart from
 * the send breaker, so that a slow media host cannot stop sending. Uploads and downloads have an idle timeout
 * instead of a total one: a 100 MB file may take minutes, but never long silences. No retry here: the caller
 * decides.
 *
 * <p>
 * Three connection pools, so that one kind of call cannot starve another: downloads
 * ({@code gateway.media.download-connections} per host), describe and delete
 * ({@code gateway.media.graph-connections}) and uploads (as many as {@code gateway.media.max-concurrent-uploads}
 * lets in). Vert.x's default of 5 per host let five stalled downloads block every other one.
 *
 * <p>
 * The REST client is not used because it would buffer bodies; Vert.x's clients stream them.
 */
@ApplicationScoped
public class GraphMediaClient {

    private final WebClient web;
    private final WebClient uploads;
    private final HttpClient http;
    private final URI graphBase;
    private final GatewayConfig config;
    private final ObjectMapper mapper;
    private final long idleTimeoutMs;
    private final TypedGuard<Uni<GraphReply>> describeGuard;
    private final TypedGuard<Uni<GraphReply>> deleteGuard;
    private final TypedGuard<Uni<GraphReply>> uploadGuard;

    GraphMediaClient(Vertx vertx, GatewayConfig config, ObjectMapper mapper) {
        this.config = config;
        this.mapper = mapper;
        this.describeGuard = guard("describe", true);
        this.deleteGuard = guard("delete", true);
        this.uploadGuard = guard("upload", false);
        this.idleTimeoutMs = config.media().transferIdleTimeout().toMillis();
        this.graphBase = URI.create(config.cloudApi().baseUrl());
        int connectTimeout = (int) config.cloudApi().timeout().toMillis();
        this.web = WebClient.create(vertx, webOptions(connectTimeout, config.media().graphConnections()));
        this.uploads = WebClient.create(vertx, webOptions(connectTimeout, Math.max(1, config.media().maxConcurrentUploads())));
        int downloads = config.media().downloadConnections();
        this.http = vertx.getDelegate().createHttpClient(new HttpClientOptions().setConnectTimeout(connectTimeout),
                new PoolOptions().setHttp1MaxSize(downloads).setHttp2MaxSize(downloads));
    }

    @SuppressWarnings("deprecation") // WebClient.create takes no PoolOptions; the pool size lives in the options
    private static WebClientOptions webOptions(int connectTimeout, int poolSize) {
        WebClientOptions options = new WebClientOptions().setConnectTimeout(connectTimeout).setUserAgent("wagateway")
                .setFollowRedirects(false);
        options.setMaxPoolSize(poolSize).setHttp2MaxPoolSize(poolSize);
        return options;
    }

    @PreDestroy
    void close() {
        web.close();
        uploads.close();
        http.close();
    }

    /** Longest silence of a transfer: {@code gateway.media.transfer-idle-timeout}. */
    long idleTimeoutMs() {
        return idleTimeoutMs;
    }

    /**
     * The fault tolerance of one call kind, the same for all: a circuit breaker of its own (20 calls, opens at
     * half failed, half-opens after 5 s, closes after 2 successes) and, for the small calls, a 10 s timeout. Its
     * description names the metrics ({@code method} tag) as annotations on the method would; the name puts the
     * breaker under {@code CircuitBreakerMaintenance}.
     */
    private static TypedGuard<Uni<GraphReply>> guard(String call, boolean timeout) {
        String name = GraphMediaClient.class.getName() + "." + call;
        var builder = TypedGuard.create(new TypeLiteral<Uni<GraphReply>>() {
        }).withDescription(name)
                .withCircuitBreaker().requestVolumeThreshold(20).failureRatio(0.5).delay(5, ChronoUnit.SECONDS)
                .successThreshold(2).name(name).done();
        if (timeout) {
            builder = builder.withTimeout().duration(10, ChronoUnit.SECONDS).done();
        }
        return builder.build();
    }

    /** {@code GET /{version}/{media-id}}. */
    public Uni<GraphReply> describe(GatewayConfig.Sender sender, String mediaId) {
        return describeGuard.get(() -> web.getAbs(graph(mediaId)).bearerTokenAuthentication(sender.accessToken())
                .addQueryParam("phone_number_id", sender.phoneNumberId())
                .timeout(config.cloudApi().timeout().toMillis()).send().map(this::reply));
    }

    /** {@code DELETE /{version}/{media-id}}. */
    public Uni<GraphReply> delete(GatewayConfig.Sender sender, String mediaId) {
        return deleteGuard.get(() -> web.deleteAbs(graph(mediaId)).bearerTokenAuthentication(sender.accessToken())
                .addQueryParam("phone_number_id", sender.phoneNumberId())
                .timeout(config.cloudApi().timeout().toMillis()).send().map(this::reply));
    }

    /** {@code POST /{version}/{phone-number-id}/media}: the file part is read from disk as it is sent. */
    public Uni<GraphReply> upload(GatewayConfig.Sender sender, Path file, String mimeType, String filename) {
        return uploadGuard.get(() -> {
            MultipartForm form = MultipartForm.create().attribute("messaging_product", "whatsapp")
                    .attribute("type", mimeType).binaryFileUpload("file", filename, file.toString(), mimeType);
            return uploads.postAbs(graph(sender.phoneNumberId() + "/media")).bearerTokenAuthentication(sender.accessToken())
                    .idleTimeout(idleTimeoutMs).sendMultipartForm(form).map(this::reply);
        });
    }

    /**
     * Opens the download of a media URL with the sender's token. The answer comes back paused: the caller
     * decides, from the status and headers, whether and where the body flows. Redirects are followed here
     * (at most {@value #MAX_REDIRECTS}) rather than by the client, so that the token only goes to the host
     * Graph named: a redirect to another host (a CDN) gets no secret. And only over https: see
     * {@link #carriesToken}.
     *
     * <p>
     * The idle timeout here covers the wait for the answer's headers (Vert.x cancels it when they arrive); the
     * body's silences are the caller's to time ({@link MediaDownloadRoute}), since only the caller knows when the
     * body is paused on purpose. Waiting for a pooled connection is bounded by {@code gateway.cloud-api.timeout}.
     */
    public Future<HttpClientResponse> download(GatewayConfig.Sender sender, String url) {
        return fetch(sender, url, URI.create(url).getHost(), 0);
    }

    static final int MAX_REDIRECTS = 3;

    private Future<HttpClientResponse> fetch(GatewayConfig.Sender sender, String url, String tokenHost,
            int hops) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                .setIdleTimeout(idleTimeoutMs).setConnectTimeout(config.cloudApi().timeout().toMillis())
                .setFollowRedirects(false);
        if (carriesToken(URI.create(url), tokenHost, graphBase)) {
            options.putHeader("Authorization", "Bearer " + sender.accessToken());
        }
        return http.request(options).compose(request -> request.send()).compose(response -> {
            String location = response.getHeader("Location");
            if (response.statusCode() / 100 == 3 && location != null && hops < MAX_REDIRECTS) {
                String next = URI.create(url).resolve(location).toString();
                // not drained: a redirect's body could stall as well, and no timeout covers bodies here
                response.request().reset();
                return fetch(sender, next, tokenHost, hops + 1);
            }
            response.pause();
            return Future.succeededFuture(response);
        });
    }

    /**
     * Whether a download request to {@code url} may carry the sender's token: only to the host Graph named
     * ({@code tokenHost}, never to the host of a redirect) and only over https, so that neither a redirect nor
     * an http URL hands the secret to whoever sits on the path. One exception keeps the simulator usable: when
     * {@code gateway.cloud-api.base-url} itself is plain http (dev mode, tests, a local simulator), http to that
     * same host is allowed; production's base URL is https, so there the rule has no exception.
     */
    static boolean carriesToken(URI url, String tokenHost, URI graphBase) {
        if (tokenHost == null || url.getHost() == null || !tokenHost.equalsIgnoreCase(url.getHost())) {
            return false;
        }
        if ("https".equalsIgnoreCase(url.getScheme())) {
            return true;
        }
        return "http".equalsIgnoreCase(url.getScheme()) && "http".equalsIgnoreCase(graphBase.getScheme())
                && url.getHost().equalsIgnoreCase(graphBase.getHost());
    }

    private String graph(String path) {
        return config.cloudApi().baseUrl() + "/" + config.cloudApi().version() + "/" + path;
    }

    private GraphReply reply(HttpResponse<Buffer> response) {
        if (response.statusCode() >= 500) {
            throw new GraphUnavailableException(response.statusCode());
        }
        JsonNode body;
        try {
            body = mapper.readTree(response.bodyAsString() == null ? "{}" : response.bodyAsString());
        } catch (Exception e) {
            body = JsonNodeFactory.instance.objectNode();
        }
        return new GraphReply(response.statusCode(), body == null ? JsonNodeFactory.instance.objectNode() : body);
    }
}
