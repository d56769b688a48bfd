package wagateway.event;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import wagateway.webhook.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static wagateway.webhook.MetaWebhooks.freshWaId;
import static wagateway.webhook.MetaWebhooks.freshWamid;
import static wagateway.webhook.MetaWebhooks.postApplied;
import static wagateway.webhook.MetaWebhooks.status;

/**
 * A per-message callbackUrl may not point into the gateway's own network (issue 16, point 4): refused at accept
 * with a 422 naming the field, single and batch; and refused again when the callback goes (a row that got past
 * the accept, or a name that resolves elsewhere by then), as a failed attempt that says only "not allowed".
 */
@QuarkusTest
@TestProfile(CallbackAddressesProfile.class)
class CallbackAddressRefusalTest {

    private static RequestSpecification api() {
        return given().auth().oauth2("test-key").contentType(ContentType.JSON);
    }

    /** A text message for tomorrow (the dispatcher leaves it alone) with this callbackUrl. */
    private static Map<String, Object> message(String to, String callbackUrl) {
        Map<String, Object> m = new HashMap<>();
        m.put("to", to);
        m.put("type", "text");
        m.put("text", Map.of("body", "hello"));
        m.put("sendAt", Instant.now().plus(1, ChronoUnit.DAYS).toString());
        m.put("callbackUrl", callbackUrl);
        return m;
    }

    @Test
    void loopbackPrivateLinkLocalAndUnspecifiedCallbackUrlsAreRefusedAtAccept() {
        String to = wagateway.testsupport.TestDb.freshPhone();
        Map<String, String> refused = Map.of(
                "http://127.0.0.1:8080/q/health", "loopback",
                "http://10.0.0.12/events", "private",
                "http://169.254.169.254/latest/meta-data/", "link-local",
                "http://[::1]:9000/events", "loopback",
                "http://0.0.0.0:5432/", "unspecified",
                "http://localhost:8080/events", "loopback", // a name that resolves to loopback
                "http://localhost:" + (CallbackAddressesProfile.ALLOWED_PORT + 1) + "/events", "loopback");
        refused.forEach((url, kind) -> api().body(message(to, url)).post("/v1/messages").then().statusCode(422)
                .contentType("application/problem+json")
                .body("reason", equalTo("callback_address_not_allowed"))
                .body("errors.field", hasItem("callbackUrl"))
                .body("detail", containsString(kind))
                .body("detail", containsString("gateway.callbacks.allowed-hosts")));
        assertThat(TestDb.count("select count(*) from outbound_message where recipient = ?", to)).isZero();
    }

    @Test
    void anAllowedHostAndAPublicAddressGetThrough() {
        String to = wagateway.testsupport.TestDb.freshPhone();
        for (String url : List.of("http://localhost:" + CallbackAddressesProfile.ALLOWED_PORT + "/events",
                "http://10.9.8.7:9000/events", "https://93.184.216.34/events")) {
            api().body(message(to, url)).post("/v1/messages").then().statusCode(202).body("callbackUrl", equalTo(url));
        }
    }

    @Test
    void aBatchRefusesTheItemWithAForbiddenCallbackUrlAlone() {
        String to = wagateway.testsupport.TestDb.freshPhone();
        Map<String, Object> without = message(to, null);
        without.remove("callbackUrl");
        api().body(Map.of("messages", List.of(message(to, "http://169.254.169.254/latest/"),
                message(to, "https://93.184.216.34/events"), message(to, "http://169.254.169.254/latest/"), without)))
                .post("/v1/messages/batch").then().statusCode(202)
                .body("results[0].status", equalTo(422))
                .body("results[0].problem.reason", equalTo("callback_address_not_allowed"))
                .body("results[0].problem.errors[0].field", equalTo("callbackUrl"))
                .body("results[1].status", equalTo(202))
                .body("results[2].status", equalTo(422))
                .body("results[3].status", equalTo(202));
        assertThat(TestDb.count("select count(*) from outbound_message where recipient = ?", to)).isEqualTo(2);
    }

    @Test
    void aCallbackToAForbiddenAddressIsRefusedWhenItGoesAndSaysOnlyThat() {
        // a message whose callbackUrl points at loopback, as one accepted before the host resolved there
        String sink = "refused-" + UUID.randomUUID();
        String waId = freshWaId();
        String wamid = freshWamid();
        UUID id = TestDb.insertOutbound("+" + waId, wamid, "sent", CallbackSink.url(sink), "{}");
        postApplied(status(waId, wamid, "delivered", Instant.now()));

        await().atMost(Duration.ofSeconds(20)).until(() -> TestDb.count(
                "select count(*) from event_outbox where message_id = ? and attempts >= 1", id) >= 1);
        Map<String, Object> event = TestDb.row(
                "select state, last_error from event_outbox where message_id = ? order by id limit 1", id);
        assertThat((String) event.get("last_error")).contains(CallbackAddresses.NOT_ALLOWED)
                .doesNotContain("Connection refused").doesNotContain("HTTP ");
        assertThat(CallbackSink.received(sink)).as("nothing reached the loopback receiver").isEmpty();
    }
}
