package wagateway.template;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import wagateway.config.GatewayConfig;

/**
 * Reads an account's templates from the Graph API, {@code GET /{version}/{waba-id}/message_templates}, every page:
 * it follows {@code paging.cursors.after} for as long as the answer carries {@code paging.next}. Each page is
 * bounded by {@code gateway.cloud-api.timeout}; a failure fails the whole read (a partial catalogue is never
 * stored: a missing page would look like deleted templates). Its own small connection pool, apart from sends.
 */
@ApplicationScoped
public class GraphTemplateClient {

    static final int PAGE_SIZE = 100;
    /** A guard against a Graph that keeps answering {@code next}: 500 pages of 100 is far beyond any account. */
    static final int MAX_PAGES = 500;
    static final String FIELDS = "id,name,language,status,category,components,parameter_format,quality_score";

    private final WebClient web;
    private final GatewayConfig config;
    private final ObjectMapper mapper;

    @SuppressWarnings("deprecation") // WebClient.create takes no PoolOptions; the pool size lives in the options
    GraphTemplateClient(Vertx vertx, GatewayConfig config, ObjectMapper mapper) {
        this.config = config;
        this.mapper = mapper;
        WebClientOptions options = new WebClientOptions().setUserAgent("wagateway").setFollowRedirects(false)
                .setConnectTimeout((int) config.cloudApi().timeout().toMillis());
        options.setMaxPoolSize(2);
        this.web = WebClient.create(vertx, options);
    }

    @PreDestroy
    void close() {
        web.close();
    }

    /** Every template of the account, as catalogue rows stamped {@code now}. */
    public Uni<List<TemplateFacts>> fetchAll(WabaDirectory.Account account, Instant now) {
        List<TemplateFacts> all = new ArrayList<>();
        return page(account, null, all, 0, now).replaceWith(all);
    }

    private Uni<Void> page(WabaDirectory.Account account, String after, List<TemplateFacts> into, int pages,
            Instant now) {
        var request = web.getAbs(config.cloudApi().baseUrl() + "/" + config.cloudApi().version() + "/" + account.id()
                + "/message_templates").bearerTokenAuthentication(account.accessToken())
                .addQueryParam("fields", FIELDS).addQueryParam("limit", Integer.toString(PAGE_SIZE))
                .timeout(config.cloudApi().timeout().toMillis());
        if (after != null) {
            request.addQueryParam("after", after);
        }
        return request.send().chain(response -> {
            JsonNode body = body(response);
            for (JsonNode item : body.path("data")) {
                TemplateFacts facts = facts(account.id(), item, now);
                if (facts != null) {
                    into.add(facts);
                }
            }
            String next = body.path("paging").path("cursors").path("after").asText(null);
            boolean more = body.path("paging").hasNonNull("next") && next != null && !body.path("data").isEmpty();
            if (!more) {
                return Uni.createFrom().voidItem();
            }
            if (pages + 1 >= MAX_PAGES) {
                return Uni.createFrom().failure(new GraphTemplatesException("more than " + MAX_PAGES + " pages"));
            }
            return page(account, next, into, pages + 1, now);
        });
    }

    private JsonNode body(HttpResponse<Buffer> response) {
        if (response.statusCode() != 200) {
            // the error's code and type only: its message may quote the request
            String code = "";
            try {
                JsonNode error = mapper.readTree(response.bodyAsString()).path("error");
                code = " (code " + error.path("code").asText() + ", " + error.path("type").asText() + ")";
            } catch (Exception e) {
                // not JSON: the HTTP status says enough
            }
            throw new GraphTemplatesException("HTTP " + response.statusCode() + code);
        }
        try {
            return mapper.readTree(response.bodyAsString());
        } catch (Exception e) {
            throw new GraphTemplatesException("an answer that is not JSON");
        }
    }

    /** One listed template as a catalogue row; null for an item without name or language. */
    static TemplateFacts facts(String wabaId, JsonNode item, Instant now) {
        String name = item.path("name").asText(null);
        String language = item.path("language").asText(null);
        if (name == null || language == null) {
            return null;
        }
        JsonNode components = item.path("components").isArray() ? item.path("components")
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        TemplateShape shape = TemplateShape.of(components);
        String format = item.path("parameter_format").asText(shape.named() ? "NAMED" : "POSITIONAL");
        String quality = item.path("quality_score").path("score").asText(null);
        return new TemplateFacts(wabaId, name, language, item.path("id").asText(null),
                item.path("status").asText("PENDING").toUpperCase(Locale.ROOT),
                item.path("category").asText("utility").toLowerCase(Locale.ROOT), quality,
                format.toLowerCase(Locale.ROOT), components.toString(), shape, now, null);
    }

    /** The Graph API did not give the whole catalogue. */
    public static class GraphTemplatesException extends RuntimeException {
        GraphTemplatesException(String message) {
            super(message);
        }
    }
}
