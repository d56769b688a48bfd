package wagateway.conversation;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import wagateway.testsupport.SseClient;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A whole support exchange, as issue 10 describes it, over real HTTP against the sandbox: the customer
 * writes with an image; the agent's event stream receives it live; the agent fetches the image bytes
 * (their sha256 matches the webhook's), marks it read with the typing indicator, uploads a document and
 * answers with it; the thread then shows both messages in order with their statuses, and a stream that
 * reconnects with {@code Last-Event-ID} gets every event after that id, none lost, none twice.
 */
@QuarkusTest
class SupportExchangeTest {

    private static final String KEY = "test-key";

    @Test
    void customerImageToAgentDocumentEndToEnd() throws Exception {
        String phone = TestDb.freshPhone();
        // she reads half a second after delivery: with the sandbox's 50 ms status delay, 'delivered' and 'read' could
        // be applied in either order, and a status only moves forward (a late 'delivered' is not announced)
        given().contentType(ContentType.JSON).body(Map.of("answerDelay", "PT0.5S")).put("/sandbox/customers/" + phone)
                .then().statusCode(200);
        try (SseClient stream = SseClient.open("/v1/events?contact=" + phone.replace("+", "%2B"), null)) {
            assertThat(stream.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.saw("live"));

            // 1. the customer writes with an image
            String mediaId = given().contentType(ContentType.JSON)
                    .body(Map.of("media", Map.of("type", "image", "mimeType", "image/png", "caption", "my broken parcel")))
                    .post("/sandbox/customers/" + phone + "/messages").then().statusCode(200).extract().path("mediaId");

            // 2. the agent's stream receives it live
            SseClient.Frame received = await().atMost(Duration.ofSeconds(20)).until(
                    () -> stream.events().stream().filter(f -> "message.received".equals(f.event())).findFirst().orElse(null),
                    f -> f != null);
            JsonPath event = JsonPath.from(received.data());
            assertThat(event.getString("from")).isEqualTo(phone);
            assertThat(event.getString("messageType")).isEqualTo("image");
            assertThat(event.getString("content.id")).isEqualTo(mediaId);
            assertThat(event.getString("content.caption")).isEqualTo("my broken parcel");
            String inboundId = event.getString("messageId");
            String sha256 = event.getString("content.sha256");

            // 3. the agent fetches the bytes; their digest is the one the webhook announced
            byte[] image = given().auth().oauth2(KEY).get("/v1/media/" + mediaId).then().statusCode(200)
                    .contentType("image/png").extract().asByteArray();
            assertThat(image).isNotEmpty();
            assertThat(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(image)))
                    .isEqualTo(sha256);

            // 4. marks it read, with "typing…": one read receipt with the typing indicator reaches the Cloud API
            given().auth().oauth2(KEY).contentType(ContentType.JSON).body(Map.of("typing", true))
                    .post("/v1/messages/" + inboundId + "/read").then().statusCode(202);
            String wamid = event.getString("wamid");
            await().atMost(Duration.ofSeconds(20)).until(() -> readsAtSandbox(wamid).size() == 1);
            assertThat(readsAtSandbox(wamid).get(0).toString()).contains("typing");

            // 5. uploads a document and answers with it
            byte[] pdf = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".getBytes();
            String documentId = given().auth().oauth2(KEY).multiPart("file", "return-label.pdf", pdf, "application/pdf")
                    .post("/v1/media").then().statusCode(201).extract().path("id");
            String replyId = given().auth().oauth2(KEY).contentType(ContentType.JSON)
                    .body(Map.of("to", phone, "type", "document",
                            "document",
                            Map.of("id", documentId, "filename", "return-label.pdf", "caption", "Your return label")))
                    .post("/v1/messages").then().statusCode(202).extract().path("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> "read".equals(
                    given().auth().oauth2(KEY).get("/v1/messages/" + replyId).then().extract().path("status")));

            // 6. the thread: our document (read), then their image (read by us), newest first
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonPath thread = given().auth().oauth2(KEY).get("/v1/contacts/" + phone + "/messages").then()
                        .statusCode(200).extract().jsonPath();
                List<Map<String, Object>> items = thread.getList("items");
                assertThat(items).hasSize(2);
                assertThat(items.get(0)).containsEntry("id", replyId).containsEntry("direction", "outbound")
                        .containsEntry("type", "document").containsEntry("status", "read");
                assertThat(items.get(1)).containsEntry("id", inboundId).containsEntry("direction", "inbound")
                        .containsEntry("type", "image");
                assertThat(items.get(1).get("readAt")).isNotNull();
                assertThat(thread.getBoolean("contact.windowOpen") || thread.getString("contact.windowOpenUntil") != null)
                        .isTrue();
            });

            // 7. the stream saw the reply walk sent → delivered → read, each once, in that order
            await().atMost(Duration.ofSeconds(20)).until(() -> statusesOf(stream, replyId).size() >= 3);
            assertThat(statusesOf(stream, replyId)).containsExactly("sent", "delivered", "read");

            // 8. a client that reconnects after the first event gets everything after it: nothing lost, nothing twice
            List<SseClient.Frame> live = stream.events();
            String firstId = live.get(0).id();
            try (SseClient resumed = SseClient.open("/v1/events?contact=" + phone.replace("+", "%2B"), firstId)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> resumed.saw("live"));
                List<String> expected = live.subList(1, live.size()).stream().map(SseClient.Frame::id).toList();
                List<String> replayed = resumed.events().stream().map(SseClient.Frame::id).toList();
                assertThat(replayed).startsWith(expected.toArray(String[]::new));
                assertThat(replayed).doesNotHaveDuplicates().doesNotContain(firstId);
            }
        }
    }

    private static List<Map<String, Object>> readsAtSandbox(String wamid) {
        return given().queryParam("wamid", wamid).get("/sandbox/reads").then().statusCode(200).extract().jsonPath()
                .getList("$");
    }

    private static List<String> statusesOf(SseClient stream, String messageId) {
        return stream.events().stream().filter(f -> "message.status".equals(f.event()))
                .map(f -> JsonPath.from(f.data()))
                .filter(e -> messageId.equals(e.getString("messageId")))
                .map(e -> e.getString("status")).toList();
    }
}
