package wagateway.web;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The framework accepts bodies up to the media upload limit (100 MB), and the 10 MB limit of every other
 * route is read from {@code Content-Length}: a chunked body, which declares none, is refused there with a
 * 411 problem before anything is read — in particular on the unauthenticated webhook endpoint.
 */
@QuarkusTest
class ChunkedBodyTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aChunkedBodyIsRefusedOutsideTheUploads() throws Exception {
        for (String path : new String[] { "/webhooks/whatsapp", "/v1/messages" }) {
            HttpResponse<String> response = HTTP.send(chunked(path, "{\"object\":\"whatsapp_business_account\"}"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(411);
            assertThat(response.headers().firstValue("content-type")).hasValue(Problem.MEDIA_TYPE);
            assertThat(response.body()).contains("Content-Length");
        }
    }

    @Test
    void theSameBodyWithItsLengthIsRead() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(url("/v1/messages")).header("Authorization", "Bearer test-key")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        // read and validated (a 400 problem about the fields), not refused for its framing
        assertThat(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
    }

    private static HttpRequest chunked(String path, String body) {
        // an InputStream publisher has no length: the JDK client sends Transfer-Encoding: chunked
        return HttpRequest.newBuilder(url(path)).header("Authorization", "Bearer test-key")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    private static URI url(String path) {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return URI.create("http://localhost:" + port + path);
    }
}
