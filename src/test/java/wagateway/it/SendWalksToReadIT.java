package wagateway.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Against the packaged production application (and, unchanged, a native binary), which has no sandbox: the
 * customer writes through the simulator build running as its own process, the business answers through the
 * gateway's API, and the message walks to {@code read} on the simulator's Meta-style webhooks. Only public HTTP
 * is used.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedGatewayWithSimulator.class)
class SendWalksToReadIT {

    @Test
    void aReplyWalksFromAcceptedToRead() {
        String phone = "+5511" + (900000000L + ThreadLocalRandom.current().nextLong(99999999L));
        given().contentType(ContentType.JSON).body(Map.of("text", "Where is my order?"))
                .post(PackagedGatewayWithSimulator.simulatorUrl() + "/sandbox/customers/" + phone + "/messages")
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> given().auth().oauth2("test-key")
                .get("/v1/contacts/" + phone).statusCode() == 200);

        String id = given().auth().oauth2("test-key").contentType(ContentType.JSON)
                .body(Map.of("to", phone, "type", "text", "text", Map.of("body", "It ships today")))
                .post("/v1/messages").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "read".equals(given().auth().oauth2("test-key")
                .get("/v1/messages/" + id).then().extract().path("status")));
        List<String> timeline = given().auth().oauth2("test-key").get("/v1/messages/" + id).then().extract()
                .jsonPath().getList("timeline.status");
        assertThat(timeline).contains("queued", "sent", "delivered", "read");
        String wamid = given().auth().oauth2("test-key").get("/v1/messages/" + id).then().extract().path("wamid");
        assertThat(wamid).startsWith("wamid.");
    }
}
