package wagateway.receipt;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import wagateway.testsupport.SandboxCustomers;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code gateway.inbound.mark-read-on-arrival} (+ {@code typing-on-arrival}): the webhook only records the
 * request, the dispatcher sends it later, so an unhealthy Cloud API never holds up or fails the webhook.
 */
@QuarkusTest
@TestProfile(ReadOnArrivalTestProfile.class)
class ReadOnArrivalTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    @AfterEach
    void reset() {
        faults("{}");
        breakers.resetAll();
    }

    static void faults(String json) {
        given().contentType(ContentType.JSON).body(json).put("/sandbox/faults").then().statusCode(200);
    }

    @Test
    void aNewMessageIsMarkedReadWithTypingWithoutACloudApiCallOnTheWebhookPath() {
        // every Graph API call fails: a webhook that called it could not be applied
        faults("{\"errorRates\":{\"503\":1.0}}");
        String phone = TestDb.freshPhone();
        SandboxCustomers.write(phone); // returns once the webhook is applied (the window opened in our records)
        Map<String, Object> row = TestDb.query("select id::text as id, wamid, read_state, read_typing from inbound_message "
                + "where from_phone = ?", phone).get(0);
        assertThat(row).containsEntry("read_state", "pending").containsEntry("read_typing", true);
        String wamid = (String) row.get("wamid");
        assertThat(
                TestDb.count("select count(*) from webhook_inbox where body like ? and state = 'applied'", "%" + wamid + "%"))
                .isEqualTo(1);
        assertThat(given().queryParam("wamid", wamid).get("/sandbox/reads").then().extract().jsonPath().getList("$")).isEmpty();

        // the API recovers: the dispatcher sends the receipt, once, with the typing indicator
        faults("{}");
        breakers.resetAll();
        String id = (String) row.get("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "sent".equals(
                TestDb.query("select read_state from inbound_message where id = ?::uuid", id).get(0).get("read_state")));
        var reads = given().queryParam("wamid", wamid).get("/sandbox/reads").then().extract().jsonPath().getList("typing");
        assertThat(reads).containsExactly(true);

        // an explicit request after that changes nothing
        given().auth().oauth2("test-key").post("/v1/messages/" + id + "/read").then().statusCode(200)
                .body("readState", equalTo("sent"));
    }
}
