package wagateway.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonObject;
import wagateway.testsupport.SseClient;
import wagateway.webhook.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Issue 17, "done when": a customer who adopted a username (the sandbox withholds their phone, as Meta does) writes;
 * the business answers by their business-scoped user id inside the window (sent, delivered, read); they send STOP
 * (opted out, a marketing template refused); they change number (a new user id, the system notice): the same
 * contact, consent kept.
 */
@QuarkusTest
class UsernameCustomerEndToEndTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void aUsernameOnlyCustomerIsServedByUserIdFromFirstMessageToNumberChange() {
        String phone = "+" + wagateway.webhook.MetaWebhooks.freshWaId();
        String userId = given().contentType(ContentType.JSON).body(Map.of("name", "Ana", "username", "@ana"))
                .put("/sandbox/customers/" + phone).then().statusCode(200).body("username", equalTo("@ana"))
                .extract().path("userId");
        try (SseClient stream = SseClient.open("/v1/events?contact=" + userId, null)) {
            assertThat(stream.status()).isEqualTo(200);
            await().atMost(PATIENCE).until(() -> stream.saw("live"));
            play(phone, userId, stream);
        }
    }

    private void play(String phone, String userId, SseClient stream) {

        // 1. the customer writes: a contact without phone, known by user id, with an open window
        write(phone, "Hi, is my order on its way?");
        JsonPath contact = await().atMost(PATIENCE).until(() -> contact(userId), c -> c != null);
        String id = contact.getString("id");
        assertThat(id).matches("c_[0-9a-f]{32}");
        assertThat(contact.getString("phone")).isNull();
        assertThat(contact.getString("username")).isEqualTo("@ana");
        assertThat(contact.getBoolean("windowOpen")).isTrue();
        assertThat(TestDb.count("select count(*) from contact where phone = ?", phone)).isZero();

        // 2. the business replies by user id: 202 echoes it; the Cloud API gets it in "recipient"; sent → read
        String replyId = api().body(Map.of("to", userId, "type", "text", "text", Map.of("body", "Yes, tomorrow!")))
                .post("/v1/messages").then().statusCode(202).body("to", equalTo(userId)).extract().path("id");
        await().atMost(PATIENCE).until(() -> "read".equals(api().get("/v1/messages/" + replyId).then().extract()
                .path("status")));
        List<Map<String, Object>> atSandbox = given().queryParam("to", phone).get("/sandbox/messages").then()
                .statusCode(200).extract().jsonPath().getList("$");
        assertThat(atSandbox).hasSize(1);
        JsonPath request = JsonPath.from(new JsonObject((Map<String, Object>) atSandbox.get(0).get("request")).encode());
        assertThat(request.getString("recipient")).isEqualTo(userId);
        assertThat(request.getString("to")).isNull();
        List<JsonObject> events = TestDb.rows("select payload from event_outbox where type = 'message.status' "
                + "and message_id = ?::uuid order by id", replyId).stream()
                .map(r -> new JsonObject((String) r.get("payload"))).toList();
        // every status is in the timeline; 'delivered' is announced too unless its webhook was applied after 'read'
        // overtook it (two webhooks in flight at once: a status only moves forward, so a late one is not announced)
        assertThat(TestDb.rows("select status from message_event where message_id = ?::uuid", replyId).stream()
                .map(r -> r.get("status")).toList()).contains("sent", "delivered", "read");
        assertThat(events.stream().map(e -> e.getString("status")).toList()).contains("sent", "read");
        // the statuses Meta reports carry the recipient's user id (recipient_user_id)
        assertThat(events.stream().filter(e -> userId.equals(e.getString("userId"))).map(e -> e.getString("status"))
                .toList()).contains("read");

        // the live event stream of this customer (by user id) saw their message and our reply walk to read
        await().atMost(PATIENCE).until(() -> stream.events().stream().anyMatch(f -> "message.status".equals(f.event())
                && f.data().contains("\"read\"") && f.data().contains(replyId)));
        assertThat(stream.events().stream().filter(f -> "message.received".equals(f.event())).findFirst().orElseThrow()
                .data()).contains("\"username\":\"@ana\"").contains(userId);

        // 3. STOP: opted out; a marketing template is refused at accept; an authentication template needs a phone
        write(phone, "STOP");
        await().atMost(PATIENCE).until(() -> "opted_out".equals(contact(userId).getString("consent.status")));
        api().body(Map.of("to", userId, "type", "template", "category", "marketing", "template",
                Map.of("name", "promo_offer", "language", Map.of("code", "en_US"))))
                .post("/v1/messages").then().statusCode(422).body("reason", equalTo("opted_out"));
        api().body(Map.of("to", userId, "type", "template", "category", "authentication", "template",
                Map.of("name", "otp_code", "language", Map.of("code", "en_US"))))
                .post("/v1/messages").then().statusCode(422).body("reason", equalTo("phone_number_required"));

        // 4. a new number: a new user id and the system notice; the same contact, consent kept
        String newPhone = "+" + wagateway.webhook.MetaWebhooks.freshWaId();
        String newUserId = given().contentType(ContentType.JSON).body(Map.of("phone", newPhone))
                .post("/sandbox/customers/" + phone + "/number").then().statusCode(200).extract().path("userId");
        assertThat(newUserId).isNotEqualTo(userId);
        JsonPath moved = await().atMost(PATIENCE).until(() -> contact(newUserId), c -> c != null);
        assertThat(moved.getString("id")).isEqualTo(id);
        assertThat(moved.getString("consent.status")).isEqualTo("opted_out");
        api().get("/v1/contacts/{id}", userId).then().statusCode(404);
        write(newPhone, "hello from my new number");
        await().atMost(PATIENCE).until(() -> TestDb.count("select count(*) from inbound_message where contact_id = ?",
                id) == 4);
        assertThat(TestDb.count("select count(*) from contact where user_id = ?", newUserId)).isOne();

        // 5. one thread across the change, by any identifier: four messages in, our reply out
        for (String key : List.of(newUserId, id)) {
            JsonPath thread = api().get("/v1/contacts/{id}/messages", key).then().statusCode(200).extract().jsonPath();
            assertThat(thread.getList("items")).hasSize(5);
            assertThat(thread.getList("items.direction")).containsOnlyOnce("outbound");
            assertThat(thread.getString("contact.id")).isEqualTo(id);
            assertThat(thread.getString("contact.phone")).isNull();
            assertThat(thread.getString("contact.userId")).isEqualTo(newUserId);
            assertThat(thread.getString("contact.username")).isEqualTo("@ana");
        }
        // the conversation list names them by user id and shows the username (no phone); other tests of the run
        // may have made conversations dated later: walk the pages
        List<Map<String, Object>> conversations = new java.util.ArrayList<>();
        String cursor = null;
        do {
            var listing = api().queryParam("limit", 500);
            JsonPath page = (cursor == null ? listing : listing.queryParam("after", cursor)).get("/v1/conversations")
                    .then().statusCode(200).extract().jsonPath();
            conversations.addAll(page.getList("items"));
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        // one conversation across the change: our reply, addressed to the old user id, is not a second one
        assertThat(conversations).filteredOn(c -> id.equals(c.get("contactId")) || userId.equals(c.get("phone")))
                .hasSize(1);
        assertThat(conversations).anySatisfy(c -> {
            assertThat(c.get("contactId")).isEqualTo(id);
            assertThat(c.get("phone")).isEqualTo(newUserId);
            assertThat(c.get("username")).isEqualTo("@ana");
            assertThat(c.get("userId")).isEqualTo(newUserId);
        });
        api().queryParam("to", id).get("/v1/messages").then().statusCode(200).body("items.size()", equalTo(1))
                .body("items[0].id", equalTo(replyId)).body("items[0].to", equalTo(userId));
    }

    private static void write(String phone, String text) {
        given().contentType(ContentType.JSON).body(Map.of("text", text)).post("/sandbox/customers/" + phone + "/messages")
                .then().statusCode(200);
    }

    private static JsonPath contact(String key) {
        var response = api().get("/v1/contacts/{id}", key).then().extract();
        return response.statusCode() == 200 ? response.jsonPath() : null;
    }

    private static RequestSpecification api() {
        return given().auth().oauth2("test-key").contentType(ContentType.JSON);
    }
}
