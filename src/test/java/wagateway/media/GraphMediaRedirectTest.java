package wagateway.media;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.config.GatewayConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A media URL that redirects to another host (a CDN) must not receive the sender's access token: the
 * token goes to the host Graph named, the redirect is followed without it.
 */
@QuarkusTest
class GraphMediaRedirectTest {

    @Inject
    GraphMediaClient graph;

    @Inject
    GatewayConfig config;

    private final Map<String, String> authorizationSeen = new ConcurrentHashMap<>();
    private HttpServer origin;
    private HttpServer cdn;

    @AfterEach
    void stop() {
        if (origin != null) {
            origin.stop(0);
        }
        if (cdn != null) {
            cdn.stop(0);
        }
    }

    @Test
    void theTokenStaysWithTheHostGraphNamed() throws Exception {
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn.createContext("/file", exchange -> {
            authorizationSeen.put("cdn", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "the bytes".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        cdn.start();
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        origin.createContext("/media", exchange -> {
            authorizationSeen.put("origin", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            // another host name for the same machine: a different host as far as the token is concerned
            exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/file");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        origin.start();

        var sender = config.senders().get("main");
        var response = graph.download(sender, "http://localhost:" + origin.getAddress().getPort() + "/media")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        response.resume();
        String body = response.body().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body).isEqualTo("the bytes");
        assertThat(authorizationSeen.get("origin")).isEqualTo("Bearer " + sender.accessToken());
        assertThat(authorizationSeen.get("cdn")).isEqualTo("null");
    }
}
