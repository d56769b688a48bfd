package wagateway.sandbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import wagateway.testsupport.SseClient;
import wagateway.webhook.MetaWebhooks;
import wagateway.webhook.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 17: a customer with a phone and a business-scoped user id, written to by that user id, is one person
 * everywhere. Their inbound messages are keyed by phone and our reply (its row, its status events) by the user id
 * it was addressed to; the conversation list shows them once, and {@code /v1/events?contact=} by phone, user id or
 * {@code c_} id streams both, live and caught up.
 */
@QuarkusTest
class OnePersonOneConversationTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void aCustomerWithPhoneAndUserIdRepliedToByUserIdIsOneConversationAndOneEventStream() {
        String phone = "+" + MetaWebhooks.freshWaId();
        // no username: webhooks carry both the phone and the user id, which links them on one contact
        String userId = given().contentType(ContentType.JSON).body(Map.of("name", "Bea")).put("/sandbox/customers/" + phone)
                .then().statusCode(200).extract().path("userId");
        try (SseClient byPhone = SseClient.open("/v1/events?contact=" + phone.replace("+", "%2B"), null)) {
            assertThat(byPhone.status()).isEqualTo(200);
            await().atMost(PATIENCE).until(() -> byPhone.saw("live"));

            given().contentType(ContentType.JSON).body(Map.of("text", "Do you deliver on Sundays?"))
                    .post("/sandbox/customers/" + phone + "/messages").then().statusCode(200);
            String id = await().atMost(PATIENCE).until(() -> (String) TestDb.value(
                    "select id from contact where phone = ? and user_id = ?", phone, userId), v -> v != null);

            String replyId = api().body(Map.of("to", userId, "type", "text", "text", Map.of("body", "We do!")))
                    .post("/v1/messages").then().statusCode(202).extract().path("id");
            await().atMost(PATIENCE).until(() -> "read".equals(api().get("/v1/messages/" + replyId).then().extract()
                    .path("status")));
            await().atMost(PATIENCE).until(() -> TestDb.count("select count(*) from event_outbox where message_id = ?::uuid "
                    + "and payload->>'status' = 'read'", replyId) == 1);
            // the rows are keyed as they were addressed: the reply and its events by the user id
            assertThat(TestDb.value("select recipient from outbound_message where id = ?::uuid", replyId)).isEqualTo(userId);
            assertThat(TestDb.value("select contact_phone from event_outbox where message_id = ?::uuid limit 1", replyId))
                    .isEqualTo(userId);

            // one conversation for the person, showing our reply as its last message
            List<Map<String, Object>> mine = conversations().stream()
                    .filter(c -> id.equals(c.get("contactId")) || phone.equals(c.get("phone"))
                            || userId.equals(c.get("phone")))
                    .toList();
            assertThat(mine).hasSize(1);
            assertThat(mine.get(0).get("contactId")).isEqualTo(id);
            assertThat(mine.get(0).get("phone")).isEqualTo(phone);
            assertThat(((Map<?, ?>) mine.get(0).get("lastMessage")).get("id")).isEqualTo(replyId);

            // the live stream by phone saw the reply's statuses, keyed by the user id
            await().atMost(PATIENCE).until(() -> byPhone.events().stream().anyMatch(f -> "message.status".equals(f.event())
                    && f.data().contains(replyId) && f.data().contains("\"read\"")));
            assertThat(byPhone.events()).anyMatch(f -> "message.received".equals(f.event()));

            // caught up from the start, by any of the three identifiers: the same events
            for (String key : List.of(id, userId, phone.replace("+", "%2B"))) {
                try (SseClient caughtUp = SseClient.open("/v1/events?contact=" + key, "0")) {
                    assertThat(caughtUp.status()).isEqualTo(200);
                    await().atMost(PATIENCE).until(() -> caughtUp.saw("live"));
                    assertThat(caughtUp.events()).anyMatch(f -> "message.received".equals(f.event()));
                    assertThat(caughtUp.events()).anyMatch(f -> "message.status".equals(f.event())
                            && f.data().contains(replyId) && f.data().contains("\"read\""));
                    // a stream.reset frame is the stream's own (events of earlier tests purged by retention)
                    assertThat(caughtUp.events()).filteredOn(f -> !"stream.reset".equals(f.event()))
                            .allMatch(f -> f.data().contains(id) || f.data().contains(replyId));
                }
            }
        }
    }

    /** Every conversation, walking the pages (other tests of the run make conversations too). */
    static List<Map<String, Object>> conversations() {
        List<Map<String, Object>> all = new ArrayList<>();
        String cursor = null;
        do {
            var listing = api().queryParam("limit", 500);
            JsonPath page = (cursor == null ? listing : listing.queryParam("after", cursor)).get("/v1/conversations")
                    .then().statusCode(200).extract().jsonPath();
            all.addAll(page.getList("items"));
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        return all;
    }

    private static RequestSpecification api() {
        return given().auth().oauth2("test-key").contentType(ContentType.JSON);
    }
}
