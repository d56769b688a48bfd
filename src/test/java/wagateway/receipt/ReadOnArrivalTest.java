package wagateway.receipt;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import wagateway.testsupport.SandboxCustomers;
import wagateway.testsupport.TestDb;
import wagateway.webhook.MetaWebhooks;

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

    @Test
    void everyNewMessageOfABatchIsMarkedReadButASystemNoticeOrARedeliveryIsNot() {
        String waId = MetaWebhooks.freshWaId();
        ObjectNode payload = MetaWebhooks.text(waId, "one");
        String first = MetaWebhooks.messages(payload).get(0).path("id").asText();
        MetaWebhooks.postApplied(payload);
        TestDb.update("update inbound_message set read_state = null, read_requested_at = null where wamid = ?", first);

        ObjectNode batch = MetaWebhooks.text(waId, "two");
        String second = MetaWebhooks.messages(batch).get(0).path("id").asText();
        ObjectNode system = MetaWebhooks.JSON.createObjectNode().put("from", waId).put("id", MetaWebhooks.freshWamid())
                .put("timestamp", MetaWebhooks.messages(batch).get(0).path("timestamp").asText()).put("type", "system");
        system.putObject("system").put("body", "User changed number").put("type", "user_changed_number");
        ObjectNode third = ((ObjectNode) MetaWebhooks.messages(batch).get(0).deepCopy()).put("id", MetaWebhooks.freshWamid());
        JsonNode again = MetaWebhooks.messages(payload).get(0).deepCopy(); // a redelivery: left alone
        MetaWebhooks.messages(batch).add(system).add(third).add(again);
        MetaWebhooks.postApplied(batch);

        assertThat(TestDb.query("select wamid, read_requested_at is not null as requested from inbound_message "
                + "where from_phone = ? order by sent_at, id", "+" + waId)).containsExactlyInAnyOrder(
                        Map.of("wamid", first, "requested", false),
                        Map.of("wamid", second, "requested", true),
                        Map.of("wamid", system.path("id").asText(), "requested", false),
                        Map.of("wamid", third.path("id").asText(), "requested", true));
    }
}
