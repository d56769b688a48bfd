package wagateway.conversation;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import wagateway.testsupport.TestDb;
import wagateway.webhook.MetaWebhooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** {@code GET /v1/contacts/{phone}/messages}: both directions in time order, newest first, over cursor pages. */
@QuarkusTest
class ThreadApiTest {

    private static RequestSpecification api() {
        return given().auth().oauth2("test-key");
    }

    private static JsonPath page(String phone, int limit, String after) {
        RequestSpecification request = api().queryParam("limit", limit);
        if (after != null) {
            request.queryParam("after", after);
        }
        return request.when().get("/v1/contacts/{phone}/messages", phone).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void interleavesBothDirectionsNewestFirstAcrossPagesWithoutLossOrRepeat() {
        String phone = TestDb.freshPhone();
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        UUID in1 = ThreadRows.inbound(phone, t0, "Hi, where is my order?", null, true);
        UUID out1 = ThreadRows.outbound(phone, t0.plusSeconds(1), "On its way", ThreadRows.wamidOf(in1));
        UUID in2 = ThreadRows.inbound(phone, t0.plusSeconds(2), "Thanks!", ThreadRows.wamidOf(out1), false);
        // the same instant both ways: ties go by id, and the cursor must not lose either
        UUID out2 = ThreadRows.outbound(phone, t0.plusSeconds(3), "Anything else?", null);
        UUID in3 = ThreadRows.inbound(phone, t0.plusSeconds(3), "No", null, false);
        UUID out3 = ThreadRows.outbound(phone, t0.plusSeconds(4), "Bye", "wamid.unknown-to-us");
        ThreadRows.inbound(TestDb.freshPhone(), t0.plusSeconds(2), "someone else", null, false);

        List<String> ids = new ArrayList<>();
        List<String> directions = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            JsonPath page = page(phone, 2, after);
            ids.addAll(page.getList("items.id"));
            directions.addAll(page.getList("items.direction"));
            after = page.getString("nextCursor");
            pages++;
        } while (after != null && pages < 10);

        List<UUID> tied = sortedDesc(out2, in3);
        assertThat(ids).containsExactly(out3.toString(), tied.get(0).toString(), tied.get(1).toString(),
                in2.toString(), out1.toString(), in1.toString());
        assertThat(pages).isEqualTo(3);

        JsonPath all = page(phone, 50, null);
        assertThat(all.getString("nextCursor")).isNull();
        Map<String, Object> reply = item(all, out1);
        assertThat(reply).containsEntry("direction", "outbound").containsEntry("status", "delivered")
                .containsEntry("type", "text").containsEntry("wamid", ThreadRows.wamidOf(out1));
        assertThat(reply.get("context")).isEqualTo(Map.of("wamid", ThreadRows.wamidOf(in1), "messageId", in1.toString()));
        assertThat(((Map<?, ?>) ((Map<?, ?>) reply.get("content")).get("text")).get("body")).isEqualTo("On its way");
        assertThat(reply).containsKeys("createdAt", "sentAt", "sentTemplate").doesNotContainKeys("readAt", "timestamp");
        Map<String, Object> thanks = item(all, in2);
        assertThat(thanks).containsEntry("direction", "inbound").containsEntry("timestamp", t0.plusSeconds(2).toString())
                .doesNotContainKeys("status", "readAt");
        assertThat(thanks.get("context")).isEqualTo(Map.of("wamid", ThreadRows.wamidOf(out1), "messageId", out1.toString()));
        assertThat(item(all, in1)).containsKey("readAt");
        assertThat(item(all, out3).get("context")).isEqualTo(Map.of("wamid", "wamid.unknown-to-us"));
    }

    @Test
    void aRealExchangeShowsUpWithTheContactsWindowAndConsent() {
        String waId = MetaWebhooks.freshWaId();
        String phone = "+" + waId;
        var question = MetaWebhooks.text(waId, "Do you deliver on Sundays?");
        ((com.fasterxml.jackson.databind.node.ObjectNode) MetaWebhooks.messages(question).get(0))
                .put("timestamp", String.valueOf(Instant.now().getEpochSecond()));
        MetaWebhooks.postApplied(question);
        String id = api().contentType(ContentType.JSON)
                // scheduled: the sandbox does not know this customer wrote, and its refusal would close the window
                .body(Map.of("to", phone, "type", "text", "text", Map.of("body", "Yes, we do"),
                        "sendAt", Instant.now().plus(1, ChronoUnit.DAYS).toString()))
                .when().post("/v1/messages").then().statusCode(202).extract().path("id");

        JsonPath page = page(phone, 50, null);
        assertThat(page.getList("items.id")).containsExactly(id, page.getString("items[1].id"));
        assertThat(page.getList("items.direction")).containsExactly("outbound", "inbound");
        assertThat(page.getString("items[0].status")).isEqualTo("scheduled");
        assertThat(page.getString("items[1].content.text.body")).isEqualTo("Do you deliver on Sundays?");
        assertThat(page.getString("contact.phone")).isEqualTo(phone);
        assertThat(page.getBoolean("contact.windowOpen")).isTrue();
        assertThat(page.getString("contact.windowOpenUntil")).isNotNull();
        assertThat(page.getString("contact.consentStatus")).isEqualTo("none");
    }

    @Test
    void aNumberWithoutMessagesIsAnEmptyThreadNotAnError() {
        String phone = TestDb.freshPhone();
        api().when().get("/v1/contacts/{phone}/messages", phone).then().statusCode(200)
                .body("items.size()", equalTo(0))
                .body("nextCursor", equalTo(null))
                .body("contact.phone", equalTo(phone))
                .body("contact.consentStatus", equalTo("none"))
                .body("contact.windowOpen", equalTo(false));
    }

    @Test
    void refusesABadPhoneCursorOrLimitWithAProblem() {
        api().when().get("/v1/contacts/{phone}/messages", "5511999").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItem("id"));
        api().queryParam("after", "not-a-cursor").when().get("/v1/contacts/{phone}/messages", TestDb.freshPhone())
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("after"));
        // a conversations cursor (phone key) is not a thread cursor (id key)
        String foreign = new Cursor(Instant.now(), "+5511999999999").encode();
        api().queryParam("after", foreign).when().get("/v1/contacts/{phone}/messages", TestDb.freshPhone())
                .then().statusCode(400).body("errors.field", hasItem("after"));
        api().queryParam("limit", 0).when().get("/v1/contacts/{phone}/messages", TestDb.freshPhone())
                .then().statusCode(400).body("errors.field", hasItem("limit"));
        given().when().get("/v1/contacts/{phone}/messages", TestDb.freshPhone()).then().statusCode(401);
    }

    private static Map<String, Object> item(JsonPath page, UUID id) {
        List<Map<String, Object>> items = page.getList("items");
        return items.stream().filter(i -> id.toString().equals(i.get("id"))).findFirst().orElseThrow();
    }

    /** Descending as PostgreSQL orders uuids (unsigned bytes). */
    private static List<UUID> sortedDesc(UUID a, UUID b) {
        return Uuid7Bounds.compare(a, b) > 0 ? List.of(a, b) : List.of(b, a);
    }
}
