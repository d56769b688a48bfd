package wagateway.media;

import java.nio.file.Path;
import java.time.temporal.ChronoUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
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
 * {@code DELETE /{media-id}}, plus the download itself. Guarded like {@link wagateway.cloudapi.CloudApiClient}:
 * a timeout on the small calls and a circuit breaker per call kind (SmallRye gives each method its own; a shared
 * name may not span methods), apart from the send breaker, so that a slow media host cannot stop sending. Uploads and downloads
 * have an idle timeout instead of a total
 * one: a 100 MB file may take minutes, but never long silences. No retry here: the caller decides.
 *
 * <p>
 * The REST client is not used because it would buffer bodies; Vert.x's clients stream them.
 */
@ApplicationScoped
public class GraphMediaClient {

    private final WebClient web;
    private final HttpClient http;
    private final GatewayConfig config;
    private final ObjectMapper mapper;
    private final long idleTimeoutMs;

    GraphMediaClient(Vertx vertx, GatewayConfig config, ObjectMapper mapper) {
        this.config = config;
        this.mapper = mapper;
        this.idleTimeoutMs = config.media().transferIdleTimeout().toMillis();
        int connectTimeout = (int) config.cloudApi().timeout().toMillis();
        this.web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(connectTimeout)
                .setUserAgent("wagateway").setFollowRedirects(false));
        this.http = vertx.getDelegate().createHttpClient(new HttpClientOptions().setConnectTimeout(connectTimeout));
    }

    @PreDestroy
    void close() {
        web.close();
        http.close();
    }

    /** {@code GET /{version}/{media-id}}. */
    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS, successThreshold = 2)
    public Uni<GraphReply> describe(GatewayConfig.Sender sender, String mediaId) {
        return web.getAbs(graph(mediaId)).bearerTokenAuthentication(sender.accessToken())
                .addQueryParam("phone_number_id", sender.phoneNumberId())
                .timeout(config.cloudApi().timeout().toMillis()).send().map(this::reply);
    }

    /** {@code DELETE /{version}/{media-id}}. */
    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS, successThreshold = 2)
    public Uni<GraphReply> delete(GatewayConfig.Sender sender, String mediaId) {
        return web.deleteAbs(graph(mediaId)).bearerTokenAuthentication(sender.accessToken())
                .addQueryParam("phone_number_id", sender.phoneNumberId())
                .timeout(config.cloudApi().timeout().toMillis()).send().map(this::reply);
    }

    /** {@code POST /{version}/{phone-number-id}/media}: the file part is read from disk as it is sent. */
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS, successThreshold = 2)
    public Uni<GraphReply> upload(GatewayConfig.Sender sender, Path file, String mimeType, String filename) {
        MultipartForm form = MultipartForm.create().attribute("messaging_product", "whatsapp").attribute("type", mimeType)
                .binaryFileUpload("file", filename, file.toString(), mimeType);
        return web.postAbs(graph(sender.phoneNumberId() + "/media")).bearerTokenAuthentication(sender.accessToken())
                .idleTimeout(idleTimeoutMs).sendMultipartForm(form).map(this::reply);
    }

    /**
     * Opens the download of a media URL with the sender's token. The answer comes back paused: the caller
     * decides, from the status and headers, whether and where the body flows. Redirects are followed here
     * (at most {@value #MAX_REDIRECTS}) rather than by the client, so that the token only goes to the host
     * Graph named: a redirect to another host (a CDN) gets no secret.
     */
    public io.vertx.core.Future<HttpClientResponse> download(GatewayConfig.Sender sender, String url) {
        return fetch(sender, url, java.net.URI.create(url).getHost(), 0);
    }

    static final int MAX_REDIRECTS = 3;

    private io.vertx.core.Future<HttpClientResponse> fetch(GatewayConfig.Sender sender, String url, String tokenHost,
            int hops) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                .setIdleTimeout(idleTimeoutMs).setFollowRedirects(false);
        if (tokenHost != null && tokenHost.equalsIgnoreCase(java.net.URI.create(url).getHost())) {
            options.putHeader("Authorization", "Bearer " + sender.accessToken());
        }
        return http.request(options).compose(request -> request.send()).compose(response -> {
            String location = response.getHeader("Location");
            if (response.statusCode() / 100 == 3 && location != null && hops < MAX_REDIRECTS) {
                String next = java.net.URI.create(url).resolve(location).toString();
                return response.body().compose(drained -> fetch(sender, next, tokenHost, hops + 1));
            }
            response.pause();
            return io.vertx.core.Future.succeededFuture(response);
        });
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
