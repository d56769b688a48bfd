package wagateway.media;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import wagateway.testsupport.Management;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Media in and out against the real sandbox, real PostgreSQL and real HTTP: a customer's image fetched with
 * its checksum, broken transfers, expiry, uploads refused before they reach the Cloud API, an uploaded
 * document sent in a message, deletion, and streaming.
 */
@QuarkusTest
class MediaApiTest {

    private static final String KEY = "test-key";

    @BeforeEach
    void cleanSandbox() {
        given().post("/sandbox/reset").then().statusCode(200);
    }

    // ----- inbound -----

    @Test
    void fetchesACustomersImageWithItsTypeLengthAndChecksum() throws Exception {
        String phone = TestDb.freshPhone();
        String mediaId = customerSends(phone, Map.of("type", "image", "caption", "my receipt"));
        Map<String, Object> held = sandboxMedia(mediaId);

        Response response = given().auth().oauth2(KEY).get("/v1/media/" + mediaId);
        response.then().statusCode(200).contentType("image/jpeg")
                .header("Content-Length", String.valueOf(held.get("size")))
                .header("Repr-Digest", "sha-256=:" + held.get("sha256") + ":")
                .header("Cache-Control", containsString("no-store"))
                // a customer's file is never sniffed or rendered by a browser, even without a filename
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Disposition", "attachment; filename=\"" + mediaId + "\"; filename*=UTF-8''" + mediaId);
        byte[] bytes = response.asByteArray();
        assertThat(sha256(bytes)).isEqualTo(held.get("sha256"));
        assertThat(bytes).startsWith((byte) 0xFF, (byte) 0xD8, (byte) 0xFF);
    }

    @Test
    void aDocumentComesWithItsFilename() {
        String mediaId = customerSends(TestDb.freshPhone(),
                Map.of("type", "document", "filename", "Nota fiscal 12.pdf"));
        given().auth().oauth2(KEY).get("/v1/media/" + mediaId).then().statusCode(200).contentType("application/pdf")
                .header("Content-Disposition",
                        "attachment; filename=\"Nota fiscal 12.pdf\"; filename*=UTF-8''Nota%20fiscal%2012.pdf")
                .header("X-Content-Type-Options", "nosniff");
        // the name is the customer's: no path, no control characters
        String sneaky = customerSends(TestDb.freshPhone(),
                Map.of("type", "document", "filename", "../../etc/cron.d/x\r\nSet-Cookie: a=b.pdf"));
        given().auth().oauth2(KEY).get("/v1/media/" + sneaky).then().statusCode(200)
                .header("Content-Disposition", "attachment; filename=\"x__Set-Cookie: a=b.pdf\"; "
                        + "filename*=UTF-8''x__Set-Cookie%3A%20a%3Db.pdf");
        // problem answers carry it too
        given().auth().oauth2(KEY).get("/v1/media/999999999999999").then().statusCode(404)
                .header("X-Content-Type-Options", "nosniff");
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void corruptedBytesBreakTheTransferInsteadOfCompletingIt(HttpClient.Version version) {
        String mediaId = customerSends(TestDb.freshPhone(), Map.of("type", "image", "mimeType", "image/png",
                "sizeBytes", 300_000));
        given().contentType(ContentType.JSON).body(Map.of("corrupt", true)).put("/sandbox/media/" + mediaId + "/faults")
                .then().statusCode(200);
        double before = mismatches();

        HttpRequest request = HttpRequest.newBuilder(url("/v1/media/" + mediaId)).header("Authorization", "Bearer " + KEY)
                .build();
        // The headers promised 300,000 bytes; the connection is cut before the last chunk: the client cannot
        // mistake the transfer for a complete one.
        // HTTP/1.1: the connection is closed; HTTP/2 (h2c): the stream is reset.
        assertThatThrownBy(() -> HttpClient.newBuilder().version(version).build().send(request,
                HttpResponse.BodyHandlers.ofByteArray()))
                .isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> mismatches() == before + 1);
    }

    @Test
    void mediaPastSevenDaysIsGone() {
        String mediaId = customerSends(TestDb.freshPhone(), Map.of("type", "audio"));
        TestDb.update("update inbound_message set sent_at = now() - interval '8 days' where (content -> type) ->> 'id' = ?",
                mediaId);
        given().auth().oauth2(KEY).get("/v1/media/" + mediaId).then().statusCode(410)
                .contentType("application/problem+json").body("type", equalTo("urn:wagateway:problem:media-gone"))
                .body("detail", containsString("expired"));
    }

    @Test
    void mediaTheCloudApiNoLongerHasIsGone() {
        String mediaId = customerSends(TestDb.freshPhone(), Map.of("type", "sticker"));
        given().contentType(ContentType.JSON).body(Map.of("expired", true)).put("/sandbox/media/" + mediaId + "/faults")
                .then().statusCode(200);
        given().auth().oauth2(KEY).get("/v1/media/" + mediaId).then().statusCode(410)
                .contentType("application/problem+json").body("type", equalTo("urn:wagateway:problem:media-gone"));
    }

    @Test
    void aCloudApiOutageBeforeTheFirstByteIsABadGatewayProblem() {
        String mediaId = customerSends(TestDb.freshPhone(), Map.of("type", "video"));
        given().contentType(ContentType.JSON).body(Map.of("burst5xx", 1)).put("/sandbox/faults").then().statusCode(200);
        given().auth().oauth2(KEY).get("/v1/media/" + mediaId).then().statusCode(502)
                .contentType("application/problem+json").body("type", equalTo("urn:wagateway:problem:cloud-api-unavailable"))
                .body("detail", containsString("503"));
        // The burst is spent: the next try works.
        given().auth().oauth2(KEY).get("/v1/media/" + mediaId).then().statusCode(200).contentType("video/mp4");
    }

    @Test
    void unknownMediaIsNotFoundAndTheKeyIsRequired() {
        given().auth().oauth2(KEY).get("/v1/media/999999999999999").then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo("urn:wagateway:problem:not-found"));
        given().get("/v1/media/999999999999999").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void theStreamingRouteIsInTheApiDescription() {
        given().accept("application/json").get(Management.url("/q/openapi")).then().statusCode(200)
                .body("paths.'/v1/media/{mediaId}'.get.responses.'410'.description", containsString("Expired"))
                .body("paths.'/v1/media'.post.summary", containsString("Upload"));
    }

    /**
     * The sandbox stops after 1 MiB of a 20 MB file until released: the caller already reads bytes while the
     * upstream has not finished, so the gateway streams rather than buffers. After the release the whole file
     * arrives and its checksum matches.
     */
    @Test
    void streamsALargeFileWhileItIsStillArriving() throws Exception {
        int size = 20_000_000;
        String mediaId = customerSends(TestDb.freshPhone(), Map.of("type", "document", "mimeType", "application/pdf",
                "sizeBytes", size));
        given().contentType(ContentType.JSON).body(Map.of("stallAfterBytes", 1_048_576))
                .put("/sandbox/media/" + mediaId + "/faults").then().statusCode(200);

        HttpRequest request = HttpRequest.newBuilder(url("/v1/media/" + mediaId)).header("Authorization", "Bearer " + KEY)
                .build();
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request,
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (InputStream body = response.body()) {
            byte[] first = body.readNBytes(512 * 1024);
            assertThat(first).hasSize(512 * 1024);
            // Still stalled upstream: nothing released it yet.
            assertThat(sandboxMedia(mediaId).get("stallAfterBytes")).isEqualTo(1_048_576);
            given().post("/sandbox/media/" + mediaId + "/release").then().statusCode(200);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(first);
            byte[] rest = body.readAllBytes();
            digest.update(rest);
            assertThat(first.length + rest.length).isEqualTo(size);
            assertThat(Base64.getEncoder().encodeToString(digest.digest())).isEqualTo(sandboxMedia(mediaId).get("sha256"));
        }
    }

    // ----- outbound -----

    @Test
    void anUploadedDocumentIsSentInAMessage() {
        String phone = TestDb.freshPhone();
        customerSends(phone, Map.of("type", "image"));
        byte[] pdf = "%PDF-1.4\n%%EOF\n".getBytes();
        Response upload = given().auth().oauth2(KEY).multiPart("file", "invoice.pdf", pdf, "application/pdf")
                .post("/v1/media");
        upload.then().statusCode(201).contentType(ContentType.JSON).body("mimeType", equalTo("application/pdf"))
                .body("size", equalTo(pdf.length)).body("sha256", equalTo(sha256(pdf))).body("filename", equalTo("invoice.pdf"))
                .body("from", equalTo("main"));
        String mediaId = upload.path("id");
        assertThat(sandboxMedia(mediaId).get("origin")).isEqualTo("uploaded");

        String messageId = given().auth().oauth2(KEY).contentType(ContentType.JSON)
                .body(Map.of("to", phone, "type", "document", "document", Map.of("id", mediaId, "filename", "invoice.pdf")))
                .post("/v1/messages").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("sent", "delivered", "read")
                .contains(given().auth().oauth2(KEY).get("/v1/messages/" + messageId).then().extract().path("status")));
        List<Map<String, Object>> sent = given().queryParam("to", phone).get("/sandbox/messages").then().extract()
                .jsonPath().getList("$");
        assertThat(sent).anySatisfy(m -> assertThat(m.get("type")).isEqualTo("document"));

        // The uploaded bytes come back through the download route too.
        assertThat(given().auth().oauth2(KEY).get("/v1/media/" + mediaId).then().statusCode(200).extract().asByteArray())
                .isEqualTo(pdf);
    }

    @Test
    void theSandboxRefusesAMediaIdItDoesNotHold() {
        String phone = TestDb.freshPhone();
        customerSends(phone, Map.of("type", "image"));
        given().auth().oauth2("sandbox-token-main").contentType(ContentType.JSON)
                .body(Map.of("messaging_product", "whatsapp", "to", phone.substring(1), "type", "image",
                        "image", Map.of("id", "1234567890123456")))
                .post("/sandbox/graph/v25.0/100000000000001/messages").then().statusCode(400)
                .body("error.code", equalTo(131053));
    }

    @Test
    void aFileOfAnUnsupportedTypeIsRefusedAndNothingIsUploaded() {
        int before = sandboxMediaCount();
        given().auth().oauth2(KEY).multiPart("file", "archive.zip", new byte[] { 'P', 'K', 3, 4, 0, 0 }, "application/zip")
                .post("/v1/media").then().statusCode(415).contentType("application/problem+json")
                .body("type", equalTo("urn:wagateway:problem:unsupported-media-type"))
                .body("detail", containsString("image/jpeg"));
        assertThat(sandboxMediaCount()).isEqualTo(before);
    }

    @Test
    void aFileOverItsTypesLimitIsRefusedAndNothingIsUploaded() {
        int before = sandboxMediaCount();
        byte[] image = new byte[5 * 1024 * 1024 + 1];
        image[0] = (byte) 0xFF;
        image[1] = (byte) 0xD8;
        image[2] = (byte) 0xFF;
        given().auth().oauth2(KEY).multiPart("file", "big.jpg", image, "image/jpeg").post("/v1/media").then()
                .statusCode(413).contentType("application/problem+json")
                .body("type", equalTo("urn:wagateway:problem:media-too-large")).body("detail", containsString("5 MiB"))
                .body("maxBytes", equalTo(5 * 1024 * 1024));
        // A static sticker is held to 100 KiB although webp stickers may reach 500 KiB when animated.
        byte[] sticker = Arrays.copyOf(Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="),
                200 * 1024);
        given().auth().oauth2(KEY).multiPart("file", "s.webp", sticker, "image/webp").post("/v1/media").then()
                .statusCode(413).body("detail", containsString("100 KiB"));
        assertThat(sandboxMediaCount()).isEqualTo(before);
    }

    @Test
    void anExecutableRenamedAsAnImageIsRefusedAndNothingIsUploaded() {
        int before = sandboxMediaCount();
        byte[] exe = Arrays.copyOf(new byte[] { 'M', 'Z', (byte) 0x90, 0, 3, 0, 0, 0 }, 4096);
        given().auth().oauth2(KEY).multiPart("file", "photo.jpg", exe, "image/jpeg").post("/v1/media").then()
                .statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:wagateway:problem:media-content-mismatch"));
        given().auth().oauth2(KEY).multiPart("file", "notes.txt", exe, "text/plain").post("/v1/media").then()
                .statusCode(422);
        assertThat(sandboxMediaCount()).isEqualTo(before);
    }

    /** The general 10 MiB body limit does not apply to uploads: a 12 MiB document goes through. */
    @Test
    void aDocumentLargerThanTheGeneralBodyLimitIsUploaded() {
        byte[] pdf = Arrays.copyOf("%PDF-1.4\n".getBytes(), 12 * 1024 * 1024);
        given().auth().oauth2(KEY).multiPart("file", "big.pdf", pdf, "application/pdf").post("/v1/media").then()
                .statusCode(201).body("size", equalTo(pdf.length));
    }

    @Test
    void anUnknownSenderOrAMissingFileIsABadRequest() {
        given().auth().oauth2(KEY).multiPart("file", "a.pdf", "%PDF-1.4".getBytes(), "application/pdf")
                .multiPart("from", "nobody").post("/v1/media").then().statusCode(400)
                .body("errors[0].field", equalTo("from"));
        given().auth().oauth2(KEY).multiPart("from", "main").post("/v1/media").then().statusCode(400)
                .body("errors[0].field", equalTo("file"));
        assertThat(sandboxMediaCount()).isZero();
    }

    @Test
    void aDeletedUploadIsGone() {
        byte[] png = Base64.getDecoder().decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAADklEQVR4XmNQvZzGAAcAEDUBX+QTNMQAAAAASUVORK5CYII=");
        String mediaId = given().auth().oauth2(KEY).multiPart("file", "dot.png", png, "image/png").multiPart("from", "second")
                .post("/v1/media").then().statusCode(201).body("from", equalTo("second")).extract().path("id");
        assertThat(sandboxMedia(mediaId).get("phoneNumberId")).isEqualTo("100000000000002");

        given().auth().oauth2(KEY).delete("/v1/media/" + mediaId).then().statusCode(204);
        given().get("/sandbox/media/" + mediaId).then().statusCode(404);
        given().auth().oauth2(KEY).get("/v1/media/" + mediaId).then().statusCode(410)
                .body("type", equalTo("urn:wagateway:problem:media-gone"));
        given().auth().oauth2(KEY).delete("/v1/media/" + mediaId).then().statusCode(410);
        given().auth().oauth2(KEY).delete("/v1/media/424242424242").then().statusCode(404);
    }

    // ----- helpers -----

    /** The customer sends media; returns its id once the gateway has stored the inbound message. */
    private static String customerSends(String phone, Map<String, Object> media) {
        String mediaId = given().contentType(ContentType.JSON).body(Map.of("media", media))
                .post("/sandbox/customers/" + phone + "/messages").then().statusCode(200).extract().path("mediaId");
        assertThat(mediaId).isNotBlank();
        await().atMost(Duration.ofSeconds(20)).until(() -> TestDb.count(
                "select count(*) from inbound_message where (content -> type) ->> 'id' = ?", mediaId) == 1);
        return mediaId;
    }

    private static Map<String, Object> sandboxMedia(String mediaId) {
        return given().get("/sandbox/media/" + mediaId).then().statusCode(200).extract().jsonPath().getMap("$");
    }

    private static int sandboxMediaCount() {
        return given().get("/sandbox/media").then().statusCode(200).extract().jsonPath().getList("$").size();
    }

    private static double mismatches() {
        String metrics = given().get(Management.url("/q/metrics")).then().extract().asString();
        return metrics.lines().filter(l -> l.startsWith("wagateway_media_downloads_total{") && l.contains("digest_mismatch"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static URI url(String path) {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return URI.create("http://localhost:" + port + path);
    }

    private static String sha256(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
