package wagateway.conversation;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

/** {@code GET /v1/conversations}: activity from both directions, unread counts, stable cursor pages. */
@QuarkusTest
class ConversationApiTest {

    private static JsonPath page(int limit, String after) {
        var request = given().auth().oauth2("test-key").queryParam("limit", limit);
        if (after != null) {
            request.queryParam("after", after);
        }
        return request.when().get("/v1/conversations").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void ordersByTheLaterOfEitherDirectionAndCountsUnreadInbound() {
        // far in the future, so these are the newest conversations whatever else the run created
        Instant base = Instant.now().plus(3650 + ThreadLocalRandom.current().nextInt(1000), ChronoUnit.DAYS)
                .truncatedTo(ChronoUnit.SECONDS);
        String wroteLast = TestDb.freshPhone();
        String answeredLast = TestDb.freshPhone();
        String neverWrote = TestDb.freshPhone();
        String tiedA = TestDb.freshPhone();
        String tiedB = TestDb.freshPhone();
        String tiedC = TestDb.freshPhone();
        List<String> sameMillisecond = List.of(TestDb.freshPhone(), TestDb.freshPhone(), TestDb.freshPhone());

        // the customer wrote at base+50 (two unread, one read)
        ThreadRows.outbound(wroteLast, base.plusSeconds(10), "Your order shipped", null);
        ThreadRows.inbound(wroteLast, base.plusSeconds(20), "read already", null, true);
        ThreadRows.inbound(wroteLast, base.plusSeconds(40), "unread 1", null, false);
        ThreadRows.inbound(wroteLast, base.plusSeconds(50), "unread 2", null, false);
        ThreadRows.contact(wroteLast, base.plusSeconds(50), base.plusSeconds(50).plus(24, ChronoUnit.HOURS));
        // wrote at base+5, but we answered at base+60: the answer is its activity
        ThreadRows.inbound(answeredLast, base.plusSeconds(5), "question", null, true);
        ThreadRows.contact(answeredLast, base.plusSeconds(5), base.plusSeconds(5).plus(24, ChronoUnit.HOURS));
        ThreadRows.outbound(answeredLast, base.plusSeconds(60), "answer", null);
        // only ever received a template, at base+30: no contact row at all
        ThreadRows.outbound(neverWrote, base.plusSeconds(30), "template", null);
        // three customers who wrote in the same second: more than a page of one plus one, so a walk that
        // stopped at its limit without the ties would lose one of them
        for (String tied : List.of(tiedA, tiedB, tiedC)) {
            ThreadRows.inbound(tied, base.plusSeconds(45), "same second", null, false);
            ThreadRows.contact(tied, base.plusSeconds(45), null);
        }
        // three templates to three new numbers in the same millisecond (likewise for the outbound walk)
        for (String phone : sameMillisecond) {
            ThreadRows.outbound(phone, base.plusSeconds(25), "template", null);
        }

        List<String> expected = new ArrayList<>(List.of(answeredLast, wroteLast));
        expected.addAll(descendingByContact(tiedA, tiedB, tiedC));
        expected.add(neverWrote);
        expected.addAll(descending(sameMillisecond.toArray(String[]::new)));

        // page by page, one at a time: nothing lost or repeated at ties or across directions
        List<String> phones = new ArrayList<>();
        String after = null;
        for (int i = 0; i < expected.size(); i++) {
            JsonPath page = page(1, after);
            phones.addAll(page.getList("items.phone"));
            after = page.getString("nextCursor");
        }
        assertThat(phones).isEqualTo(expected);

        JsonPath first = page(expected.size(), null);
        assertThat(first.getList("items.phone")).isEqualTo(expected);
        Map<String, Object> wrote = first.getMap("items[1]");
        assertThat(wrote).containsEntry("unread", 2).containsEntry("lastActivityAt", base.plusSeconds(50).toString())
                .containsEntry("windowOpen", true);
        assertThat(first.getString("items[1].lastMessage.direction")).isEqualTo("inbound");
        assertThat(first.getString("items[1].lastMessage.content.text.body")).isEqualTo("unread 2");
        assertThat(first.getString("items[0].lastMessage.direction")).isEqualTo("outbound");
        assertThat(first.getString("items[0].lastMessage.content.text.body")).isEqualTo("answer");
        assertThat(first.getString("items[0].lastActivityAt")).isEqualTo(base.plusSeconds(60).toString());
        assertThat(first.getInt("items[0].unread")).isZero();
        assertThat(first.getInt("items[2].unread")).isEqualTo(1);
        assertThat(first.getString("items[5].phone")).isEqualTo(neverWrote);
        assertThat(first.getString("items[5].windowOpenUntil")).isNull();
        assertThat(first.getBoolean("items[5].windowOpen")).isFalse();
    }

    /**
     * The order of customers tied on activity: a conversation's key descending, as the API breaks ties; the key of
     * a customer who wrote is their contact id.
     */
    private static List<String> descendingByContact(String... phones) {
        return java.util.Arrays.stream(phones)
                .sorted(java.util.Comparator.comparing((String phone) -> (String) TestDb.query(
                        "select id from contact where phone = ?", phone).get(0).get("id")).reversed())
                .toList();
    }

    /** The order of numbers only ever written to, tied on activity: descending, as the API breaks ties. */
    private static List<String> descending(String... phones) {
        return java.util.Arrays.stream(phones).sorted(java.util.Comparator.reverseOrder()).toList();
    }

    @Test
    void rowsWithoutContactAsThePreviousReleaseWritesThemJoinTheirPersonsConversationAndEvents() {
        // later than the other test's conversations, so these are the newest
        Instant base = Instant.now().plus(6000 + ThreadLocalRandom.current().nextInt(1000), ChronoUnit.DAYS)
                .truncatedTo(ChronoUnit.SECONDS);
        String phone = TestDb.freshPhone();
        String userId = "US." + ThreadLocalRandom.current().nextLong(1L << 60);
        ThreadRows.inbound(phone, base.plusSeconds(10), "hello", null, false);
        ThreadRows.contact(phone, base.plusSeconds(10), base.plusSeconds(10).plus(24, ChronoUnit.HOURS));
        TestDb.update("update contact set user_id = ? where phone = ?", userId, phone);
        String id = (String) TestDb.query("select id from contact where phone = ?", phone).get(0).get("id");
        // a reply addressed by user id, and its event, written without contact (the previous release's statements)
        java.util.UUID reply = ThreadRows.outbound(userId, base.plusSeconds(20), "by user id", null);
        TestDb.update("insert into event_outbox (type, message_id, contact_phone, url, payload, state, next_attempt_at, "
                + "created_at) values ('message.status', ?, ?, null, jsonb_build_object('status', 'delivered', "
                + "'messageId', ?::text), 'none', now(), now())", reply, userId, reply.toString());

        JsonPath first = page(1, null);
        assertThat(first.getString("items[0].contactId")).isEqualTo(id);
        assertThat(first.getString("items[0].phone")).isEqualTo(phone);
        assertThat(first.getString("items[0].lastMessage.id")).isEqualTo(reply.toString());
        assertThat(first.getString("items[0].lastActivityAt")).isEqualTo(base.plusSeconds(20).toString());
        // the next page is someone else: the reply made no second conversation
        JsonPath second = page(1, first.getString("nextCursor"));
        assertThat(second.getList("items.contactId")).doesNotContain(id);
        assertThat(second.getList("items.phone")).doesNotContain(userId);

        // the person's event stream, by phone, finds the event keyed by the user id
        try (wagateway.testsupport.SseClient events = wagateway.testsupport.SseClient
                .open("/v1/events?contact=" + phone.replace("+", "%2B"), "0")) {
            // (inserted outside the gateway: stamped with a stream position at the stream's next poll)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> events.events().stream().anyMatch(f -> f.data().contains(reply.toString())));
        }
    }

    @Test
    void refusesABadCursorOrLimitWithAProblem() {
        given().auth().oauth2("test-key").queryParam("after", "bm9wZQ").when().get("/v1/conversations").then()
                .statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("after"));
        given().auth().oauth2("test-key").queryParam("limit", 501).when().get("/v1/conversations").then()
                .statusCode(400).body("errors.field", hasItem("limit"));
        given().when().get("/v1/conversations").then().statusCode(401);
    }
}
