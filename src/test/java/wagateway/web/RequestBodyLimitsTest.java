package wagateway.web;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import wagateway.testsupport.TestDb;
import wagateway.webhook.MetaWebhooks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bodies are bounded by the bytes that arrive, per route, over HTTP/1.1 (chunked, no Content-Length) and
 * HTTP/2 without TLS (h2c, prior knowledge) alike: 413 past the route's limit, 408 when the body takes longer
 * than {@code gateway.http.body-timeout} (2 s in tests), and honest bodies without a length are read.
 */
@QuarkusTest
class RequestBodyLimitsTest {

    private static final int MIB = 1024 * 1024;

    @Inject
    Vertx vertx;

    private HttpClient http1;
    private HttpClient h2c;

    @BeforeEach
    void clients() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        http1 = vertx.createHttpClient(new HttpClientOptions().setDefaultPort(port).setDefaultHost("localhost"));
        h2c = vertx.createHttpClient(new HttpClientOptions().setDefaultPort(port).setDefaultHost("localhost")
                .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    }

    @AfterEach
    void close() {
        http1.close();
        h2c.close();
    }

    @Test
    void honestBodiesWithoutALengthAreReadOnEveryRoute() throws Exception {
        for (HttpClient client : new HttpClient[] { http1, h2c }) {
            String message = message(TestDb.freshPhone());
            assertThat(send(client, "/v1/messages", message, null).status).isEqualTo(202);
            Answer batch = send(client, "/v1/messages/batch", "{\"messages\":[" + message + "," + message + "]}", null);
            assertThat(batch.status).as(batch.body).isEqualTo(202);
            String webhook = "{\"object\":\"whatsapp_business_account\",\"entry\":[]}";
            assertThat(send(client, "/webhooks/whatsapp", webhook, MetaWebhooks.sign(webhook)).status).isEqualTo(200);
        }
    }

    @Test
    void aWebhookBodyOverItsLimitIs413WhileItArrives() throws Exception {
        for (HttpClient client : new HttpClient[] { http1, h2c }) {
            // 5 MiB with no length: the count, not a header, stops it at 4 MiB; nothing signs it
            Answer answer = stream(client, "/webhooks/whatsapp", 5 * MIB, 0);
            assertThat(answer.status).isEqualTo(413);
            assertThat(answer.contentType).isEqualTo(Problem.MEDIA_TYPE);
        }
    }

    @Test
    void aBodyThatTricklesIs408() throws Exception {
        for (HttpClient client : new HttpClient[] { http1, h2c }) {
            long start = System.nanoTime();
            // 1 KiB every 200 ms: it would take 20 s for 100 KiB; the test profile's timeout is 2 s
            Answer answer = stream(client, "/webhooks/whatsapp", 100 * 1024, 200);
            assertThat(answer.status).isEqualTo(408);
            assertThat(answer.contentType).isEqualTo(Problem.MEDIA_TYPE);
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
        }
    }

    @Test
    void aBatchOfEmptyObjectsIsRefusedNeverA500() throws Exception {
        // small on the wire, many times larger as a JSON tree
        Answer over = send(http1, "/v1/messages/batch", emptyObjects(9 * MIB), null);
        assertThat(over.status).isEqualTo(413);
        Answer under = send(http1, "/v1/messages/batch", emptyObjects(8 * MIB - 64), null);
        assertThat(under.status).as(under.body).isEqualTo(400);
        assertThat(under.contentType).isEqualTo(Problem.MEDIA_TYPE);
        assertThat(under.body).contains("at most 1000");
    }

    @Test
    void aBatchItemOverASingleMessagesLimitIs413ForThatItemAlone() throws Exception {
        String message = message(TestDb.freshPhone());
        String big = message.replace("\"hi\"", "\"" + "x".repeat(300 * 1024) + "\"");
        Answer answer = send(h2c, "/v1/messages/batch", "{\"messages\":[" + message + "," + big + "]}", null);
        assertThat(answer.status).as(answer.body).isEqualTo(202);
        assertThat(answer.body).contains("\"accepted\":1").contains("\"status\":413");
    }

    @Test
    void aBatchWhoseItemsHoldTooManyObjectsIsRefusedBeforeTheyAreParsed() throws Exception {
        // 1,000 items the validation accepts, each padded with empty objects where it does not look: together
        // they would be hundreds of MB of trees on a 256 MB heap
        String padding = ",\"padding\":[{}" + ",{}".repeat(120) + "]";
        StringBuilder body = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 1000; i++) {
            String message = message(TestDb.freshPhone());
            body.append(i == 0 ? "" : ",").append(message, 0, message.length() - 1).append(padding).append('}');
        }
        Answer answer = send(http1, "/v1/messages/batch", body.append("]}").toString(), null);
        assertThat(answer.status).as(answer.body).isEqualTo(400);
        assertThat(answer.contentType).isEqualTo(Problem.MEDIA_TYPE);
        assertThat(answer.body).contains("more than 100000 JSON objects and arrays");
    }

    @Test
    void aMessageOverTheApiLimitIs413() throws Exception {
        Answer answer = send(h2c, "/v1/messages", emptyObjects(300 * 1024), null);
        assertThat(answer.status).isEqualTo(413);
    }

    private static String message(String to) {
        return "{\"to\":\"" + to + "\",\"type\":\"text\",\"text\":{\"body\":\"hi\"},\"sendAt\":\""
                + Instant.now().plus(1, ChronoUnit.DAYS) + "\"}";
    }

    /** {"messages":[{},{},…]} of about {@code bytes} bytes. */
    private static String emptyObjects(int bytes) {
        StringBuilder body = new StringBuilder(bytes).append("{\"messages\":[{}");
        while (body.length() < bytes - 5) {
            body.append(",{}");
        }
        return body.append("]}").toString();
    }

    record Answer(int status, String contentType, String body) {
    }

    private RequestOptions post(String path) {
        return new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
                .putHeader("Authorization", "Bearer test-key").putHeader("Content-Type", "application/json");
    }

    /** The body in one write without a Content-Length (chunked over HTTP/1.1). */
    private Answer send(HttpClient client, String path, String body, String signature) throws Exception {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        RequestOptions options = post(path);
        if (signature != null) {
            options.putHeader("X-Hub-Signature-256", signature);
        }
        client.request(options).onSuccess(request -> {
            listen(request, answer);
            request.setChunked(true);
            request.end(Buffer.buffer(body.getBytes(StandardCharsets.UTF_8)));
        }).onFailure(answer::completeExceptionally);
        return answer.get(30, TimeUnit.SECONDS);
    }

    /** {@code total} bytes in 1 KiB pieces, {@code pauseMillis} apart, until the answer comes. */
    private Answer stream(HttpClient client, String path, int total, long pauseMillis) throws Exception {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        client.request(post(path)).onSuccess(request -> {
            listen(request, answer);
            request.setChunked(true);
            Buffer piece = Buffer.buffer("x".repeat(1024));
            Runnable[] next = new Runnable[1];
            int[] sent = { 0 };
            next[0] = () -> {
                while (!answer.isDone() && sent[0] < total) {
                    request.write(piece);
                    sent[0] += piece.length();
                    if (pauseMillis > 0) {
                        vertx.setTimer(pauseMillis, id -> next[0].run());
                        return;
                    }
                    if (request.writeQueueFull()) {
                        request.drainHandler(v -> next[0].run());
                        return;
                    }
                }
                if (!answer.isDone()) {
                    request.end();
                }
            };
            next[0].run();
        }).onFailure(answer::completeExceptionally);
        return answer.get(30, TimeUnit.SECONDS);
    }

    private static void listen(HttpClientRequest request, CompletableFuture<Answer> answer) {
        request.exceptionHandler(e -> {
            if (!answer.isDone()) {
                answer.completeExceptionally(e);
            }
        });
        request.response().onSuccess(response -> response.body()
                .onSuccess(body -> answer.complete(
                        new Answer(response.statusCode(), response.getHeader("Content-Type"), body.toString())))
                .onFailure(e -> answer.complete(new Answer(response.statusCode(), response.getHeader("Content-Type"), ""))))
                .onFailure(e -> {
                    if (!answer.isDone()) {
                        answer.completeExceptionally(e);
                    }
                });
    }
}
