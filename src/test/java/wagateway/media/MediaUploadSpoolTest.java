package wagateway.media;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import wagateway.cloudapi.content.MediaLimits;
import wagateway.deploy.UploadSpoolBudget;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Uploads against the spool the pods give them: the largest file the Cloud API takes (a 100 MiB document) goes
 * through with its spool directory capped to one upload's share of the manifests' /tmp (a tmpfs when the tests run
 * as root; the peak is measured either way), the spooled file is gone when the request ends, and an upload past
 * {@code gateway.media.max-concurrent-uploads} (1 here) is refused before its body reaches the disk.
 */
@QuarkusTest
@TestProfile(MediaUploadSpoolTest.FakeGraph.class)
class MediaUploadSpoolTest {

    private static final String KEY = "test-key";

    public static class FakeGraph implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeGraphUploads.class));
        }
    }

    @Test
    void aHundredMebibyteDocumentIsUploadedWithinOneUploadsShareOfTmp() throws Exception {
        long size = MediaLimits.largestMax();
        Path file = Files.createTempFile("wagateway-100mib", ".pdf");
        try (RandomAccessFile pdf = new RandomAccessFile(file.toFile(), "rw")) {
            pdf.write("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII));
            pdf.setLength(size);
        }
        long graphBytesBefore = graphState("bytes");
        AtomicBoolean uploading = new AtomicBoolean(true);
        AtomicLong peak = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (uploading.get()) {
                peak.accumulateAndGet(spooledBytes(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        try {
            given().auth().oauth2(KEY).multiPart("file", file.toFile(), "application/pdf").post("/v1/media").then()
                    .statusCode(201).body("size", equalTo((int) size)).body("mimeType", equalTo("application/pdf"));
        } finally {
            uploading.set(false);
            sampler.join();
            Files.delete(file);
        }
        System.out.printf("100 MiB upload: spool peak %d bytes, share %d bytes, tmpfs cap %s%n", peak.get(),
                UploadSpoolBudget.perUploadShare(),
                ConfigProvider.getConfig().getValue("wagateway.test.spool-capped", String.class));
        assertThat(peak.get()).as("the file was spooled in the configured directory").isGreaterThanOrEqualTo(size);
        assertThat(peak.get()).as("spool peak within one upload's share of the manifests' /tmp")
                .isLessThanOrEqualTo(UploadSpoolBudget.perUploadShare());
        assertThat(graphState("bytes") - graphBytesBefore).as("the whole file reached Graph").isGreaterThan(size);
        await().atMost(Duration.ofSeconds(5)).until(() -> spooledFiles() == 0);
    }

    @Test
    void anUploadPastTheLimitIsRefusedBeforeItsBodyIsRead() throws Exception {
        byte[] pdf = Arrays.copyOf("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII), 2 * 1024 * 1024);
        byte[] small = Arrays.copyOf("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII), 16 * 1024);
        graph("/gate/close");
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> given().auth().oauth2(KEY)
                .multiPart("file", "first.pdf", pdf, "application/pdf").post("/v1/media").then().extract().statusCode());
        try {
            // the first upload is spooled and on its way to Graph, which holds it
            await().atMost(Duration.ofSeconds(20)).until(() -> graphState("waiting") == 1);
            assertThat(spooledFiles()).isEqualTo(1);

            given().auth().oauth2(KEY).multiPart("file", "second.pdf", small, "application/pdf").post("/v1/media").then()
                    .statusCode(503).contentType("application/problem+json").header("Retry-After", "5")
                    .body("type", equalTo("urn:wagateway:problem:uploads-busy"));
            // without a key: 401, and the slot is not the caller's to take
            given().multiPart("file", "third.pdf", small, "application/pdf").post("/v1/media").then().statusCode(401)
                    .contentType("application/problem+json");
            assertThat(spooledFiles()).as("the refused bodies never reached the disk").isEqualTo(1);
        } finally {
            graph("/gate/open");
        }
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(201);
        // the slot is free again
        given().auth().oauth2(KEY).multiPart("file", "fourth.pdf", small, "application/pdf").post("/v1/media").then()
                .statusCode(201);
        await().atMost(Duration.ofSeconds(5)).until(() -> spooledFiles() == 0);
    }

    /** A caller that goes away mid-body gives its slot back, and its partial file is deleted. */
    @Test
    void anUploadAbandonedMidBodyFreesItsSlotAndItsFile() throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        String boundary = "b0undary";
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gone.pdf\"\r\n"
                + "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n";
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            var out = socket.getOutputStream();
            out.write(("POST /v1/media HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: 4000000\r\n\r\n"
                    + head).getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[512 * 1024]);
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> spooledBytes() > 0);
        }
        // Quarkus leaves the partial file of a broken-off upload: UploadSlots sweeps it once no upload is in flight
        await().atMost(Duration.ofSeconds(15)).until(() -> spooledFiles() == 0);
        byte[] small = Arrays.copyOf("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII), 16 * 1024);
        await().atMost(Duration.ofSeconds(10)).until(() -> given().auth().oauth2(KEY)
                .multiPart("file", "after.pdf", small, "application/pdf").post("/v1/media").then().extract()
                .statusCode() == 201);
    }

    private static Path spool() {
        return Path.of(ConfigProvider.getConfig().getValue("quarkus.http.body.uploads-directory", String.class));
    }

    private static long spooledBytes() {
        try (Stream<Path> files = Files.walk(spool())) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // deleted meanwhile
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    private static long spooledFiles() throws IOException {
        try (Stream<Path> files = Files.walk(spool())) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static String graphUrl() {
        return ConfigProvider.getConfig().getValue("gateway.cloud-api.base-url", String.class);
    }

    private static long graphState(String field) {
        return given().baseUri(graphUrl()).port(-1).get("/state").then().statusCode(200).extract().jsonPath().getLong(field);
    }

    private static void graph(String path) {
        given().baseUri(graphUrl()).port(-1).post(path).then().statusCode(200);
    }
}
