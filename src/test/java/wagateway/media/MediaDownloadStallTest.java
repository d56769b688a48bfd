package wagateway.media;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import wagateway.testsupport.Management;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A media file whose bytes stop coming must not hold its request, nor the other downloads, forever: the body
 * is held to {@code gateway.media.transfer-idle-timeout} as the headers are, and more stalled downloads than
 * Vert.x's default pool (5 per host) leave room for another download to go through.
 */
@QuarkusTest
@TestProfile(MediaDownloadStallTest.ShortIdleTimeout.class)
class MediaDownloadStallTest {

    static final Duration IDLE = Duration.ofSeconds(4);
    private static final String KEY = "test-key";

    public static class ShortIdleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.media.transfer-idle-timeout", IDLE.toString());
        }
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void cleanSandbox() {
        given().post("/sandbox/reset").then().statusCode(200);
    }

    @Test
    void stalledBodiesEndInATimeoutProblemWhileAnotherDownloadGoesThrough() throws Exception {
        List<String> stalled = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String mediaId = customerSends(Map.of("type", "document", "mimeType", "application/pdf", "sizeBytes", 300_000));
            // headers and one byte, then silence
            given().contentType(ContentType.JSON).body(Map.of("stallAfterBytes", 1))
                    .put("/sandbox/media/" + mediaId + "/faults")
                    .then().statusCode(200);
            stalled.add(mediaId);
        }
        String healthy = customerSends(Map.of("type", "image"));

        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> hanging = stalled.stream()
                .map(id -> client.sendAsync(get(id), HttpResponse.BodyHandlers.ofString())).toList();
        // every stalled download has its upstream connection before the healthy one asks for one
        await().atMost(Duration.ofSeconds(IDLE.toSeconds() - 1)).until(() -> stalledDownloadsInFlight() >= 6);

        // bounded: with a pool the stalls fill, it would wait for them forever
        HttpResponse<byte[]> ok = client.send(HttpRequest.newBuilder(get(healthy), (n, v) -> true).timeout(IDLE).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).startsWith((byte) 0xFF, (byte) 0xD8, (byte) 0xFF);
        assertThat(hanging).as("the stalled downloads are still waiting: the healthy one did not wait for them")
                .noneMatch(CompletableFuture::isDone);

        for (CompletableFuture<HttpResponse<String>> download : hanging) {
            HttpResponse<String> response = download.get(IDLE.toSeconds() + 10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(response.body()).contains("urn:wagateway:problem:cloud-api-timeout");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("ended by the idle timeout").isGreaterThanOrEqualTo(IDLE.minusMillis(500))
                .isLessThan(IDLE.plusSeconds(8));
    }

    /** Once bytes reached the caller, a silence breaks the transfer instead of answering a problem. */
    @Test
    void aBodyThatFallsSilentAfterTheFirstBytesIsCutOff() {
        String mediaId = customerSends(Map.of("type", "document", "mimeType", "application/pdf", "sizeBytes", 3_000_000));
        given().contentType(ContentType.JSON).body(Map.of("stallAfterBytes", 1_048_576))
                .put("/sandbox/media/" + mediaId + "/faults").then().statusCode(200);
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.sendAsync(get(mediaId), HttpResponse.BodyHandlers.ofByteArray())
                .get(IDLE.toSeconds() + 10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(IDLE.minusMillis(500));
        await().atMost(Duration.ofSeconds(5)).until(() -> downloads("upstream_silent") >= 1);
    }

    /** Downloads whose upstream answered and whose body is flowing (or stalled) now. */
    private static double stalledDownloadsInFlight() {
        return metric("wagateway_media_downloads_in_flight");
    }

    private static double downloads(String result) {
        String metrics = given().get(Management.url("/q/metrics")).then().extract().asString();
        return metrics.lines().filter(l -> l.startsWith("wagateway_media_downloads_total{") && l.contains("\"" + result + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static double metric(String name) {
        String metrics = given().get(Management.url("/q/metrics")).then().extract().asString();
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static HttpRequest get(String mediaId) {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/media/" + mediaId))
                .header("Authorization", "Bearer " + KEY).build();
    }

    private static String customerSends(Map<String, Object> media) {
        String mediaId = given().contentType(ContentType.JSON).body(Map.of("media", media))
                .post("/sandbox/customers/" + TestDb.freshPhone() + "/messages").then().statusCode(200).extract()
                .path("mediaId");
        await().atMost(Duration.ofSeconds(20)).until(() -> TestDb.count(
                "select count(*) from inbound_message where (content -> type) ->> 'id' = ?", mediaId) == 1);
        return mediaId;
    }
}
