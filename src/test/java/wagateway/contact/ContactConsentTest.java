package wagateway.contact;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import wagateway.support.Hmac;
import wagateway.testsupport.TestClockProducer;
import wagateway.webhook.MetaWebhooks;
import wagateway.webhook.TestDb;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code PUT /v1/contacts/{phone}/consent} and {@code GET /v1/contacts/{phone}}: the append-only consent trail. */
@QuarkusTest
class ContactConsentTest {

    /** The audit trail names the caller by its key's fingerprint, never the key. */
    private static final String TEST_KEY_FINGERPRINT = HexFormat.of()
            .formatHex(Hmac.sha256("test-key".getBytes(StandardCharsets.UTF_8)), 0, 8);

    @AfterEach
    void resetClock() {
        TestClockProducer.CLOCK.reset();
    }

    @Test
    void recordsConsentAndShowsIt() {
        String phone = freshPhone();
        api().body("{\"status\":\"opted_in\",\"source\":\"checkout-form\",\"categories\":[\"utility\",\"marketing\"]}")
                .when().put("/v1/contacts/{phone}/consent", phone)
                .then().statusCode(200)
                .body("phone", equalTo(phone))
                .body("consent.status", equalTo("opted_in"))
                .body("consent.categories", contains("utility", "marketing"))
                .body("consent.marketingOptedOut", equalTo(false))
                .body("consent.updatedAt", notNullValue())
                .body("history", hasSize(1))
                .body("history[0].status", equalTo("opted_in"))
                .body("history[0].scope", equalTo("all"))
                .body("history[0].source", equalTo("checkout-form"))
                .body("history[0].actor", equalTo(TEST_KEY_FINGERPRINT))
                .body("lastInboundAt", nullValue())
                .body("windowOpenUntil", nullValue())
                .body("windowOpen", equalTo(false));

        api().when().get("/v1/contacts/{phone}", phone)
                .then().statusCode(200)
                .body("consent.status", equalTo("opted_in"))
                .body("history[0].recordedAt", equalTo(TestDb.value(
                        "select recorded_at from consent_event where phone = ?", phone).toString()));
    }

    @Test
    void keepsEveryChangeInOrderAndDerivesTheStateFromTheLatest() {
        String phone = freshPhone();
        put(phone, "{\"status\":\"opted_in\",\"source\":\"web\"}");
        TestClockProducer.CLOCK.advance(Duration.ofDays(1));
        given().auth().oauth2("second-key").contentType("application/json")
                .body("{\"status\":\"opted_out\",\"source\":\"support-call\"}")
                .when().put("/v1/contacts/{phone}/consent", phone).then().statusCode(200);
        TestClockProducer.CLOCK.advance(Duration.ofDays(1));
        put(phone, "{\"status\":\"opted_in\",\"source\":\"web\",\"categories\":[\"utility\"]}");

        api().when().get("/v1/contacts/{phone}", phone)
                .then().statusCode(200)
                .body("consent.status", equalTo("opted_in"))
                .body("consent.categories", contains("utility"))
                .body("history.status", contains("opted_in", "opted_out", "opted_in"))
                .body("history.source", contains("web", "support-call", "web"))
                .body("history[1].actor", equalTo(HexFormat.of().formatHex(
                        Hmac.sha256("second-key".getBytes(StandardCharsets.UTF_8)), 0, 8)));
        // Append-only: the earlier entries are still there as they were recorded.
        List<Map<String, Object>> trail = TestDb.rows("select status, source, recorded_at from consent_event "
                + "where phone = ? order by id", phone);
        assertEquals(3, trail.size());
        assertEquals(Duration.ofDays(1), Duration.between((java.time.Instant) trail.get(0).get("recorded_at"),
                (java.time.Instant) trail.get(1).get("recorded_at")).truncatedTo(java.time.temporal.ChronoUnit.HOURS));
    }

    @Test
    void anOptOutOfMarketingOnlyKeepsTheOverallConsent() {
        String phone = freshPhone();
        put(phone, "{\"status\":\"opted_in\",\"source\":\"web\"}");
        put(phone, "{\"status\":\"opted_out\",\"source\":\"preference-center\",\"categories\":[\"marketing\"]}");
        api().when().get("/v1/contacts/{phone}", phone)
                .then().statusCode(200)
                .body("consent.status", equalTo("opted_in"))
                .body("consent.marketingOptedOut", equalTo(true))
                .body("history[1].scope", equalTo("marketing"));

        // An opt-in that covers marketing lifts it; one that does not, does not.
        put(phone, "{\"status\":\"opted_in\",\"source\":\"web\",\"categories\":[\"utility\"]}");
        api().when().get("/v1/contacts/{phone}", phone).then().body("consent.marketingOptedOut", equalTo(true));
        put(phone, "{\"status\":\"opted_in\",\"source\":\"web\",\"categories\":[\"marketing\",\"utility\"]}");
        api().when().get("/v1/contacts/{phone}", phone).then().body("consent.marketingOptedOut", equalTo(false));
    }

    @Test
    void showsConsentFromWhatsAppBesideTheApiTrail() {
        String waId = MetaWebhooks.freshWaId();
        String phone = "+" + waId;
        put(phone, "{\"status\":\"opted_in\",\"source\":\"web\"}");
        MetaWebhooks.postApplied(MetaWebhooks.text(waId, "Stop"));
        api().when().get("/v1/contacts/{phone}", phone)
                .then().statusCode(200)
                .body("consent.status", equalTo("opted_out"))
                .body("history.source", contains("web", "keyword"))
                .body("history[1].actor", equalTo("whatsapp"))
                .body("history[1].evidence", notNullValue())
                .body("lastInboundAt", notNullValue())
                .body("windowOpen", equalTo(true));
    }

    /** Issue 16 (10): webhooks arrive late and out of order; consent follows when the customer acted. */
    @Test
    void followsMetasTimestampsNotTheOrderWebhooksArriveIn() {
        String waId = MetaWebhooks.freshWaId();
        String phone = "+" + waId;
        long now = TestClockProducer.CLOCK.instant().getEpochSecond();
        MetaWebhooks.postApplied(textAt(waId, "STOP", now));
        // a START the customer sent an hour before the STOP, delivered after it: the STOP stands
        MetaWebhooks.postApplied(textAt(waId, "START", now - 3600));
        api().when().get("/v1/contacts/{phone}", phone).then().statusCode(200)
                .body("consent.status", equalTo("opted_out"))
                .body("history.evidence", hasSize(2));

        // a marketing resume older than the recorded stop does not undo it, and vice versa
        MetaWebhooks.postApplied(preferenceAt(waId, "stop", now));
        MetaWebhooks.postApplied(preferenceAt(waId, "resume", now - 60));
        api().when().get("/v1/contacts/{phone}", phone).then().body("consent.marketingOptedOut", equalTo(true));
        MetaWebhooks.postApplied(preferenceAt(waId, "resume", now + 60));
        MetaWebhooks.postApplied(preferenceAt(waId, "stop", now + 30));
        api().when().get("/v1/contacts/{phone}", phone).then().body("consent.marketingOptedOut", equalTo(false));

        // an API change is stamped when the gateway received it: after everything above, so it wins...
        TestClockProducer.CLOCK.advance(Duration.ofMinutes(5));
        put(phone, "{\"status\":\"opted_in\",\"source\":\"web\"}");
        api().when().get("/v1/contacts/{phone}", phone).then().body("consent.status", equalTo("opted_in"));
        // ...and a STOP older than it, arriving later, does not undo it
        MetaWebhooks.postApplied(textAt(waId, "STOP", now + 120));
        api().when().get("/v1/contacts/{phone}", phone).then().body("consent.status", equalTo("opted_in"))
                .body("history", hasSize(8));
    }

    /** Within one second (Meta's precision) the order is unknown: the later arrival wins. */
    @Test
    void onEqualTimesTheLaterArrivalWins() {
        String waId = MetaWebhooks.freshWaId();
        long now = TestClockProducer.CLOCK.instant().getEpochSecond();
        MetaWebhooks.postApplied(textAt(waId, "STOP", now));
        MetaWebhooks.postApplied(textAt(waId, "START", now));
        api().when().get("/v1/contacts/{phone}", "+" + waId).then().body("consent.status", equalTo("opted_in"));
        MetaWebhooks.postApplied(textAt(waId, "STOP", now));
        api().when().get("/v1/contacts/{phone}", "+" + waId).then().body("consent.status", equalTo("opted_out"));
        // the customer's STOP in the same second as an API opt-in received before it: the STOP arrived later
        put("+" + waId, "{\"status\":\"opted_in\",\"source\":\"web\"}");
        MetaWebhooks.postApplied(textAt(waId, "STOP", TestClockProducer.CLOCK.instant().getEpochSecond()));
        api().when().get("/v1/contacts/{phone}", "+" + waId).then().body("consent.status", equalTo("opted_out"));
    }

    private static ObjectNode textAt(String waId, String body, long epochSecond) {
        ObjectNode payload = MetaWebhooks.text(waId, body);
        ((ObjectNode) MetaWebhooks.messages(payload).get(0)).put("timestamp", String.valueOf(epochSecond));
        return payload;
    }

    private static ObjectNode preferenceAt(String waId, String value, long epochSecond) {
        ObjectNode payload = MetaWebhooks.retargeted("user-preferences-marketing-resume.json", waId,
                MetaWebhooks.freshWamid());
        ((ObjectNode) MetaWebhooks.value(payload).path("user_preferences").get(0)).put("value", value)
                .put("timestamp", epochSecond);
        return payload;
    }

    @Test
    void refusesInvalidConsent() {
        String phone = freshPhone();
        badRequest(phone, "{\"status\":\"maybe\",\"source\":\"web\"}", "status");
        badRequest(phone, "{\"source\":\"web\"}", "status");
        badRequest(phone, "{\"status\":\"opted_in\"}", "source");
        badRequest(phone, "{\"status\":\"opted_in\",\"source\":\"  \"}", "source");
        badRequest(phone, "{\"status\":\"opted_in\",\"source\":\"" + "x".repeat(101) + "\"}", "source");
        badRequest(phone, "{\"status\":\"opted_in\",\"source\":\"web\",\"categories\":[\"promotions\"]}", "categories[0]");
        badRequest(phone, "{\"status\":\"opted_in\",\"source\":\"web\",\"categories\":[]}", "categories");
        badRequest(phone, "{\"status\":\"opted_in\",\"source\":\"web\",\"expiresAt\":\"x\"}", "expiresAt");
        api().body("{\"status\":").when().put("/v1/contacts/{phone}/consent", phone)
                .then().statusCode(400).contentType("application/problem+json");
        api().when().put("/v1/contacts/{phone}/consent", phone)
                .then().statusCode(400).contentType("application/problem+json");
        assertEquals(0L, TestDb.count("select count(*) from consent_event where phone = ?", phone));
    }

    @Test
    void refusesPhoneNumbersThatAreNotE164AndUserIdsMetaWouldNotSend() {
        // a leading '+' or only digits means a phone; anything else is a Meta user id, up to 150 characters
        for (String phone : new String[] { "5511987654321", "+0511987654321", "+55-11-98765", "U".repeat(151) }) {
            api().body("{\"status\":\"opted_in\",\"source\":\"web\"}")
                    .when().put("/v1/contacts/{phone}/consent", phone)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("errors.field", hasItem("id"));
            api().when().get("/v1/contacts/{phone}", phone).then().statusCode(400);
        }
    }

    @Test
    void answers404ForAContactNeverSeen() {
        api().when().get("/v1/contacts/{phone}", freshPhone())
                .then().statusCode(404).contentType("application/problem+json").body("status", equalTo(404));
    }

    @Test
    void needsAnApiKey() {
        String phone = freshPhone();
        given().contentType("application/json").body("{\"status\":\"opted_in\",\"source\":\"web\"}")
                .when().put("/v1/contacts/{phone}/consent", phone).then().statusCode(401);
        given().when().get("/v1/contacts/{phone}", phone).then().statusCode(401);
        assertEquals(0L, TestDb.count("select count(*) from consent_event where phone = ?", phone));
    }

    private static String freshPhone() {
        return "+" + MetaWebhooks.freshWaId();
    }

    private static RequestSpecification api() {
        return given().auth().oauth2("test-key").contentType("application/json");
    }

    private static void put(String phone, String body) {
        api().body(body).when().put("/v1/contacts/{phone}/consent", phone).then().statusCode(200);
    }

    private static void badRequest(String phone, String body, String field) {
        api().body(body).when().put("/v1/contacts/{phone}/consent", phone)
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem(field));
    }
}
