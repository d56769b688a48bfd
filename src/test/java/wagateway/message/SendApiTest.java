package wagateway.message;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** The send API over real HTTP against the real database: accept, idempotency, batch, read, list, cancel. */
@QuarkusTest
class SendApiTest {

    static RequestSpecification api() {
        return api("test-key");
    }

    static RequestSpecification api(String key) {
        return given().auth().oauth2(key).contentType(ContentType.JSON);
    }

    static Map<String, Object> text(String to, String body) {
        Map<String, Object> m = new HashMap<>();
        m.put("to", to);
        m.put("type", "text");
        m.put("text", Map.of("body", body));
        return m;
    }

    static Map<String, Object> template(String to, String name, String category) {
        Map<String, Object> m = new HashMap<>();
        m.put("to", to);
        m.put("type", "template");
        m.put("category", category);
        m.put("template", Map.of("name", name, "language", Map.of("code", "en_US")));
        return m;
    }

    /** Scheduled for tomorrow: the dispatcher leaves it alone while the test looks at it. */
    static Map<String, Object> later(Map<String, Object> message) {
        message.put("sendAt", Instant.now().plus(1, ChronoUnit.DAYS).toString());
        return message;
    }

    static long rowsTo(String phone) {
        return TestDb.count("select count(*) from outbound_message where recipient = ?", phone);
    }

    @Test
    void acceptsTextInsideTheWindowDurablyBeforeAnswering() {
        String to = TestDb.freshPhone();
        TestDb.openWindow(to);
        Map<String, Object> body = text(to, "Your order shipped");
        body.put("metadata", Map.of("orderId", "A-1"));
        body.put("priority", "high");
        Response response = api().body(body).post("/v1/messages");
        response.then().statusCode(202)
                .body("status", equalTo("queued"))
                .body("to", equalTo(to))
                .body("from", equalTo("main"))
                .body("type", equalTo("text"))
                .body("priority", equalTo("high"))
                .body("createdAt", notNullValue());
        String id = response.path("id");
        response.then().header("Location", endsWith("/v1/messages/" + id));
        // durable before the answer: the row is there the moment the answer is
        var row = TestDb.query("select sender, type, priority, content->'text'->>'body' as body, "
                + "metadata->>'orderId' as order_id from outbound_message where id = ?::uuid", id).get(0);
        assertThat(row.get("sender")).isEqualTo("main");
        assertThat(((Number) row.get("priority")).intValue()).isEqualTo(2);
        assertThat(row.get("body")).isEqualTo("Your order shipped");
        assertThat(row.get("order_id")).isEqualTo("A-1");
    }

    @Test
    void idsAreTimeOrdered() {
        String to = TestDb.freshPhone();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(api().body(later(text(to, "n" + i))).post("/v1/messages").then().statusCode(202).extract().path("id"));
        }
        assertThat(ids).isSortedAccordingTo(String::compareTo);
        assertThat(ids.get(0).charAt(14)).isEqualTo('7'); // UUID version 7
    }

    @Test
    void refusesInvalidEnvelopeWithFieldPathsAndPersistsNothing() {
        String to = "5511987654321"; // no '+'
        Map<String, Object> body = text(to, "hi");
        body.put("from", "nobody");
        body.put("priority", "urgent");
        body.put("callbackUrl", "ftp://example.com/x");
        api().body(body).post("/v1/messages")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:wagateway:problem:validation"))
                .body("status", equalTo(400))
                .body("errors.field", hasItem("to"))
                .body("errors.field", hasItem("from"))
                .body("errors.field", hasItem("priority"))
                .body("errors.field", hasItem("callbackUrl"));
        assertThat(rowsTo(to)).isZero();
    }

    @Test
    void refusesUnknownFieldsAndWrongTypes() {
        String to = TestDb.freshPhone();
        Map<String, Object> typo = later(text(to, "hi"));
        typo.put("expireAt", "2030-01-01T00:00:00Z");
        api().body(typo).post("/v1/messages").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("expireAt"));
        Map<String, Object> wrongType = later(text(to, "hi"));
        wrongType.put("sendAt", 12.5e30);
        api().body(wrongType).post("/v1/messages").then().statusCode(400).contentType("application/problem+json");
        assertThat(rowsTo(to)).isZero();
    }

    @Test
    void refusesTwoContentObjectsAndAMissingOne() {
        String to = TestDb.freshPhone();
        Map<String, Object> two = later(text(to, "hi"));
        two.put("image", Map.of("link", "https://example.com/a.png"));
        api().body(two).post("/v1/messages").then().statusCode(400).body("errors.field", hasItem("image"));
        Map<String, Object> none = new HashMap<>(Map.of("to", to, "type", "text"));
        api().body(later(none)).post("/v1/messages").then().statusCode(400).body("errors.field", hasItem("text"));
        assertThat(rowsTo(to)).isZero();
    }

    @Test
    void refusesMalformedJsonAndWrongMediaType() {
        api().body("{\"to\": ").post("/v1/messages").then().statusCode(400)
                .contentType("application/problem+json").body("status", equalTo(400));
        given().auth().oauth2("test-key").contentType(ContentType.TEXT).body("hello").post("/v1/messages")
                .then().statusCode(415).contentType("application/problem+json");
        api().body("[1,2]").post("/v1/messages").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void templatesNeedACategory() {
        String to = TestDb.freshPhone();
        Map<String, Object> body = later(template(to, "order_update", null));
        body.remove("category");
        api().body(body).post("/v1/messages").then().statusCode(400).body("errors.field", hasItem("category"));
        assertThat(rowsTo(to)).isZero();
    }

    @Test
    void theConfiguredTemplateCategoryWinsAndAContradictingOneIsRefused() {
        // %test.gateway.templates.spring_sale.category=marketing
        String to = TestDb.freshPhone();
        api().body(later(template(to, "spring_sale", "utility"))).post("/v1/messages").then().statusCode(422)
                .contentType("application/problem+json").body("reason", equalTo("template_category_mismatch"))
                .body("errors.field", hasItem("category"));
        assertThat(rowsTo(to)).isZero();
        api().body(later(template(to, "spring_sale", "marketing"))).post("/v1/messages").then().statusCode(202)
                .body("category", equalTo("marketing"));
        Map<String, Object> unlabelled = later(template(to, "spring_sale", null));
        unlabelled.remove("category");
        api().body(unlabelled).post("/v1/messages").then().statusCode(202).body("category", equalTo("marketing"));
        // in a batch, the same refusal for that item alone
        api().body(Map.of("messages", List.of(later(template(to, "spring_sale", "utility")),
                later(template(to, "spring_sale", "marketing"))))).post("/v1/messages/batch").then().statusCode(202)
                .body("results[0].status", equalTo(422))
                .body("results[0].problem.reason", equalTo("template_category_mismatch"))
                .body("results[1].status", equalTo(202));
    }

    @Test
    void outOfRangeInstantsAndDurationsAre400sNot500s() {
        String to = TestDb.freshPhone();
        for (Map.Entry<String, String> bad : List.of(Map.entry("ttl", "PT99999999999999H"), Map.entry("ttl", "P31D"),
                Map.entry("expiresAt", "+999999999-12-31T23:59:59Z"), Map.entry("sendAt", "-999999999-01-01T00:00:00Z"),
                Map.entry("sendAt", "+999999999-12-31T23:59:59Z"), Map.entry("sendAt", "2001-01-01T00:00:00Z"))) {
            Map<String, Object> body = text(to, "range");
            body.put(bad.getKey(), bad.getValue());
            api().body(body).post("/v1/messages").then().statusCode(400).contentType("application/problem+json")
                    .body("errors.field", hasItem(bad.getKey()));
        }
        assertThat(rowsTo(to)).isZero();
    }

    @Test
    void scheduledMessagesWaitAndExpiryIsChecked() {
        String to = TestDb.freshPhone();
        Instant sendAt = Instant.now().plus(2, ChronoUnit.HOURS);
        Map<String, Object> body = text(to, "later");
        body.put("sendAt", sendAt.toString());
        body.put("ttl", "PT30M");
        String id = api().body(body).post("/v1/messages").then().statusCode(202)
                .body("status", equalTo("scheduled"))
                .body("sendAt", notNullValue())
                .extract().path("id");
        var row = TestDb.query("select extract(epoch from expires_at - send_at) as ttl, "
                + "next_attempt_at = send_at as due_at_send from outbound_message where id = ?::uuid", id).get(0);
        assertThat(((Number) row.get("ttl")).intValue()).isEqualTo(1800);
        assertThat(row.get("due_at_send")).isEqualTo(true);

        Map<String, Object> past = later(text(to, "x"));
        past.put("expiresAt", Instant.now().minus(1, ChronoUnit.MINUTES).toString());
        api().body(past).post("/v1/messages").then().statusCode(400).body("errors.field", hasItem("expiresAt"));
        Map<String, Object> both = later(text(to, "x"));
        both.put("expiresAt", Instant.now().plus(3, ChronoUnit.DAYS).toString());
        both.put("ttl", "PT1M");
        api().body(both).post("/v1/messages").then().statusCode(400).body("errors.field", hasItem("ttl"));
        assertThat(rowsTo(to)).isEqualTo(1);
    }

    @Test
    void metadataIsLimitedToSixteenPairs() {
        String to = TestDb.freshPhone();
        Map<String, String> metadata = new HashMap<>();
        for (int i = 0; i < 17; i++) {
            metadata.put("k" + i, "v");
        }
        Map<String, Object> body = later(text(to, "hi"));
        body.put("metadata", metadata);
        api().body(body).post("/v1/messages").then().statusCode(400).body("errors.field", hasItem("metadata"));
        metadata.remove("k16");
        api().body(body).post("/v1/messages").then().statusCode(202);
    }

    @Test
    void sameIdempotencyKeyAndBodyReturnsTheOriginal() {
        String to = TestDb.freshPhone();
        Map<String, Object> body = later(text(to, "once"));
        String first = api().header("Idempotency-Key", "order-1-" + to).body(body).post("/v1/messages")
                .then().statusCode(202).extract().path("id");
        String again = api().header("Idempotency-Key", "order-1-" + to).body(body).post("/v1/messages")
                .then().statusCode(200).body("status", equalTo("scheduled")).extract().path("id");
        assertThat(again).isEqualTo(first);
        assertThat(rowsTo(to)).isEqualTo(1);
    }

    @Test
    void sameIdempotencyKeyWithAnotherBodyConflicts() {
        String to = TestDb.freshPhone();
        String key = "order-2-" + to;
        api().header("Idempotency-Key", key).body(later(text(to, "one"))).post("/v1/messages").then().statusCode(202);
        api().header("Idempotency-Key", key).body(later(text(to, "two"))).post("/v1/messages")
                .then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("urn:wagateway:problem:idempotency-key-reused"));
        assertThat(rowsTo(to)).isEqualTo(1);
    }

    @Test
    void idempotencyKeysAreScopedPerApiKey() {
        String to = TestDb.freshPhone();
        Map<String, Object> body = later(text(to, "same"));
        String a = api("test-key").header("Idempotency-Key", "shared-" + to).body(body).post("/v1/messages")
                .then().statusCode(202).extract().path("id");
        String b = api("second-key").header("Idempotency-Key", "shared-" + to).body(body).post("/v1/messages")
                .then().statusCode(202).extract().path("id");
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void concurrentRequestsWithOneKeyMakeOneMessage() throws Exception {
        String to = TestDb.freshPhone();
        Map<String, Object> body = later(text(to, "race"));
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return api().header("Idempotency-Key", "race-" + to).body(body).post("/v1/messages");
                }));
            }
            start.countDown();
            Set<String> ids = new HashSet<>();
            int created = 0;
            for (Future<Response> f : answers) {
                Response r = f.get();
                assertThat(r.statusCode()).isIn(200, 202);
                created += r.statusCode() == 202 ? 1 : 0;
                ids.add(r.path("id"));
            }
            assertThat(ids).hasSize(1);
            assertThat(created).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(rowsTo(to)).isEqualTo(1);
    }

    @Test
    void batchAcceptsGoodItemsAndReportsBadOnesEach() {
        String to = TestDb.freshPhone();
        List<Object> items = new ArrayList<>();
        items.add(later(text(to, "good 1")));
        items.add(Map.of("to", "+12", "type", "text", "text", Map.of("body", "bad"))); // phone-like, not E.164
        items.add(later(text(to, "good 2")));
        items.add(Map.of("to", to, "type", "text", "text", Map.of("body", "x"), "priority", 7));
        items.add("not even an object");
        Response response = api().body(Map.of("messages", items)).post("/v1/messages/batch");
        response.then().statusCode(202)
                .body("accepted", equalTo(2))
                .body("rejected", equalTo(3))
                .body("results", hasSize(5))
                .body("results[0].status", equalTo(202))
                .body("results[0].message.id", notNullValue())
                .body("results[1].status", equalTo(400))
                .body("results[1].problem.errors.field", hasItem("to"))
                .body("results[2].status", equalTo(202))
                .body("results[3].status", equalTo(400))
                .body("results[4].status", equalTo(400));
        assertThat(rowsTo(to)).isEqualTo(2);
        String id = response.path("results[2].message.id");
        api().get("/v1/messages/" + id).then().statusCode(200).body("text", nullValue())
                .body("content.text.body", equalTo("good 2"));
    }

    @Test
    void batchTakesAtMostAThousand() {
        String to = TestDb.freshPhone();
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            items.add(later(text(to, "m" + i)));
        }
        api().body(Map.of("messages", items)).post("/v1/messages/batch").then().statusCode(400)
                .body("errors[0].field", equalTo("messages"));
        items.remove(1000);
        api().body(Map.of("messages", items)).post("/v1/messages/batch").then().statusCode(202)
                .body("accepted", equalTo(1000));
        assertThat(rowsTo(to)).isEqualTo(1000);
        api().body(Map.of("messages", List.of())).post("/v1/messages/batch").then().statusCode(400);
    }

    @Test
    void getShowsTheMessageAndItsTimeline() {
        String to = TestDb.freshPhone();
        String id = api().body(later(text(to, "look"))).post("/v1/messages").then().statusCode(202).extract().path("id");
        api().get("/v1/messages/" + id).then().statusCode(200)
                .body("id", equalTo(id))
                .body("status", equalTo("scheduled"))
                .body("attempts", equalTo(0))
                .body("wamid", nullValue())
                .body("timeline[0].status", equalTo("scheduled"))
                .body("timeline[0].source", equalTo("api"));
        api().get("/v1/messages/0190a9a4-7c3e-7000-8000-000000000000").then().statusCode(404)
                .contentType("application/problem+json");
        api().get("/v1/messages/not-an-id").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void listsNewestFirstWithCursorsAndFilters() {
        String to = TestDb.freshPhone();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(api().body(later(text(to, "p" + i))).post("/v1/messages").then().statusCode(202).extract().path("id"));
        }
        Response page1 = api().queryParam("to", to).queryParam("limit", 2).get("/v1/messages");
        page1.then().statusCode(200).body("items", hasSize(2)).body("items[0].id", equalTo(ids.get(4)))
                .body("items[1].id", equalTo(ids.get(3))).body("nextCursor", equalTo(ids.get(3)));
        Response page2 = api().queryParam("to", to).queryParam("limit", 2).queryParam("after", ids.get(3)).get("/v1/messages");
        page2.then().body("items[0].id", equalTo(ids.get(2))).body("items[1].id", equalTo(ids.get(1)));
        api().queryParam("to", to).queryParam("limit", 2).queryParam("after", ids.get(1)).get("/v1/messages")
                .then().body("items", hasSize(1)).body("items[0].id", equalTo(ids.get(0))).body("nextCursor", nullValue());
        api().queryParam("to", to).queryParam("status", "scheduled").get("/v1/messages").then().body("items", hasSize(5));
        api().queryParam("to", to).queryParam("status", "sent").get("/v1/messages").then().body("items", hasSize(0));
        api().queryParam("status", "bogus").get("/v1/messages").then().statusCode(400).body("errors.field", hasItem("status"));
        api().queryParam("limit", 0).get("/v1/messages").then().statusCode(400).body("errors.field", hasItem("limit"));
        api().queryParam("after", "garbage").get("/v1/messages").then().statusCode(400).body("errors.field", hasItem("after"));
    }

    @Test
    void cancelsWhileWaitingAndOnlyThen() {
        String to = TestDb.freshPhone();
        String id = api().body(later(text(to, "cancel me"))).post("/v1/messages").then().statusCode(202).extract().path("id");
        api().delete("/v1/messages/" + id).then().statusCode(200).body("status", equalTo("cancelled"))
                .body("timeline.status", hasItem("cancelled"));
        api().delete("/v1/messages/" + id).then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("cancelled"));
        api().delete("/v1/messages/0190a9a4-7c3e-7000-8000-000000000000").then().statusCode(404);
        assertThat(TestDb.count("select count(*) from event_outbox where message_id = ?::uuid and type = 'message.status'", id))
                .isEqualTo(1);
    }

    @Test
    void refusesAtOnceWhatThePolicyAlreadyKnows() {
        String closed = TestDb.freshPhone();
        api().body(text(closed, "hello?")).post("/v1/messages").then().statusCode(422)
                .contentType("application/problem+json").body("reason", equalTo("window_closed"));
        assertThat(rowsTo(closed)).isZero();

        String stranger = TestDb.freshPhone();
        api().body(template(stranger, "order_update", "utility")).post("/v1/messages").then().statusCode(422)
                .body("reason", equalTo("consent_missing"));

        String optedOut = TestDb.freshPhone();
        TestDb.optOut(optedOut);
        api().body(template(optedOut, "order_update", "utility")).post("/v1/messages").then().statusCode(422)
                .body("reason", equalTo("opted_out"));
        assertThat(rowsTo(optedOut)).isZero();

        String optedIn = TestDb.freshPhone();
        TestDb.optIn(optedIn);
        Map<String, Object> withFallback = text(optedIn, "free-form");
        withFallback.put("fallbackTemplate", Map.of("name", "hello_world", "language", Map.of("code", "en_US")));
        withFallback.put("category", "utility");
        withFallback.put("sendAt", Instant.now().plus(1, ChronoUnit.DAYS).toString());
        api().body(withFallback).post("/v1/messages").then().statusCode(202).body("fallbackTemplate", equalTo(true));
        // scheduled messages are judged when due, not now: the customer may write first
        api().body(later(text(closed, "tomorrow"))).post("/v1/messages").then().statusCode(202);
    }

    /**
     * Rule 1 with the consent the API recorded (not a hand-written row): the scopes of an opt-in and of an
     * opt-out reach the rules. A marketing-only opt-out blocks marketing templates, replies included, and nothing
     * else; an opt-in for some categories covers only those; a full opt-out still lets non-marketing replies go.
     */
    @Test
    void refusesAtOnceWhatTheRecordedConsentScopesSay() {
        String marketingOut = TestDb.freshPhone();
        consent(marketingOut, "{\"status\":\"opted_in\",\"source\":\"web\"}");
        consent(marketingOut, "{\"status\":\"opted_out\",\"source\":\"preference-center\",\"categories\":[\"marketing\"]}");
        api().body(template(marketingOut, "spring_sale", "marketing")).post("/v1/messages").then().statusCode(422)
                .body("reason", equalTo("marketing_opted_out"));
        api().body(template(marketingOut, "order_update", "utility")).post("/v1/messages").then().statusCode(202);
        TestDb.openWindow(marketingOut);
        api().body(template(marketingOut, "spring_sale", "marketing")).post("/v1/messages").then().statusCode(422)
                .body("reason", equalTo("marketing_opted_out"));
        api().body(text(marketingOut, "a service reply")).post("/v1/messages").then().statusCode(202);

        String utilityOnly = TestDb.freshPhone();
        consent(utilityOnly, "{\"status\":\"opted_in\",\"source\":\"web\",\"categories\":[\"utility\"]}");
        api().body(template(utilityOnly, "spring_sale", "marketing")).post("/v1/messages").then().statusCode(422)
                .body("reason", equalTo("consent_missing"));
        api().body(template(utilityOnly, "order_update", "utility")).post("/v1/messages").then().statusCode(202);

        String optedOut = TestDb.freshPhone();
        consent(optedOut, "{\"status\":\"opted_out\",\"source\":\"web\"}");
        TestDb.openWindow(optedOut);
        api().body(text(optedOut, "a service reply")).post("/v1/messages").then().statusCode(202);
        api().body(template(optedOut, "spring_sale", "marketing")).post("/v1/messages").then().statusCode(422)
                .body("reason", equalTo("opted_out"));
    }

    static void consent(String phone, String body) {
        api().body(body).put("/v1/contacts/{phone}/consent", phone).then().statusCode(200);
    }
}
