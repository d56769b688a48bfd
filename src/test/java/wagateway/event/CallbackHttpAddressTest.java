package wagateway.event;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The connection-time side of the callback address check: a name is looked up when the callback goes, and a
 * forbidden answer (DNS rebinding after the accept) fails the attempt without a connection; an allowed one is
 * connected to at the checked address with the name kept in the Host header. Redirects are not followed.
 */
class CallbackHttpAddressTest {

    private static final Vertx VERTX = Vertx.vertx();
    private static HttpServer receiver;
    private static HttpServer elsewhere;
    private static final List<String> received = new CopyOnWriteArrayList<>();
    private static final List<String> redirected = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        elsewhere = VERTX.createHttpServer().requestHandler(request -> {
            redirected.add(request.uri());
            request.response().end();
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        receiver = VERTX.createHttpServer().requestHandler(request -> {
            received.add(request.method() + " " + request.uri() + " host=" + request.getHeader("Host"));
            if (request.uri().startsWith("/redirect")) {
                request.response().setStatusCode(302)
                        .putHeader("Location", "http://127.0.0.1:" + elsewhere.actualPort() + "/internal").end();
            } else {
                request.response().end("ok");
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        VERTX.close();
    }

    private static CallbackHttp http(boolean allowLoopback, AtomicReference<String> resolvesTo) {
        CallbackAddresses addresses = new CallbackAddresses(VERTX, allowLoopback, Set.of(),
                host -> new InetAddress[] { InetAddress.getByName(resolvesTo.get()) });
        return new CallbackHttp(VERTX, Duration.ofSeconds(5), 4, addresses);
    }

    private static CallbackHttp.Answer post(CallbackHttp http, String url) throws Exception {
        return http.post(url, Map.of("Content-Type", "application/json"), Buffer.buffer("{}")).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aNameThatResolvesToAForbiddenAddressAtDeliveryIsNotConnectedTo() {
        received.clear();
        // accepted while it resolved to a public address; by delivery it points at loopback (DNS rebinding)
        AtomicReference<String> dns = new AtomicReference<>("127.0.0.1");
        CallbackHttp http = http(false, dns);
        try {
            assertThatThrownBy(() -> post(http, "http://rebound.example:" + receiver.actualPort() + "/events"))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(CallbackAddresses.NotAllowed.class)
                    .hasMessageStartingWith(CallbackAddresses.NOT_ALLOWED)
                    .hasMessageNotContaining(String.valueOf(receiver.actualPort()));
            dns.set("169.254.169.254");
            assertThatThrownBy(() -> post(http, "http://metadata.example/latest/meta-data/"))
                    .cause().isInstanceOf(CallbackAddresses.NotAllowed.class);
            assertThatThrownBy(() -> post(http, "http://127.0.0.1:" + receiver.actualPort() + "/events"))
                    .cause().isInstanceOf(CallbackAddresses.NotAllowed.class);
            assertThat(received).as("no connection reached the receiver").isEmpty();
        } finally {
            http.close();
        }
    }

    @Test
    void anAllowedNameIsConnectedToAtTheCheckedAddressWithItsHostHeader() throws Exception {
        received.clear();
        CallbackHttp http = http(true, new AtomicReference<>("127.0.0.1"));
        try {
            String url = "http://receiver.example:" + receiver.actualPort() + "/events";
            assertThat(post(http, url).status()).isEqualTo(200);
            assertThat(received).containsExactly("POST /events host=receiver.example:" + receiver.actualPort());
        } finally {
            http.close();
        }
    }

    @Test
    void aRedirectIsNotFollowedAndIsNotAnAcknowledgement() throws Exception {
        received.clear();
        redirected.clear();
        CallbackHttp http = http(true, new AtomicReference<>("127.0.0.1"));
        try {
            CallbackHttp.Answer answer = post(http, "http://127.0.0.1:" + receiver.actualPort() + "/redirect");
            assertThat(answer.status()).isEqualTo(302);
            assertThat(answer.acknowledged()).isFalse();
            Thread.sleep(200);
            assertThat(redirected).as("the redirect's target got nothing").isEmpty();
        } finally {
            http.close();
        }
    }
}
