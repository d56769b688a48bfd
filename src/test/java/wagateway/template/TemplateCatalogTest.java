package wagateway.template;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.core.Vertx;
import wagateway.config.GatewayConfig;
import wagateway.testsupport.TestClockProducer;
import wagateway.testsupport.TestDb;
import wagateway.wakeup.CatalogSignal;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * The template catalogue against the sandbox's account, over real HTTP and PostgreSQL: synced from the Graph API
 * (paged), each accept refusal a 422 with its JSON path before anything is queued, a pause in the sandbox refused
 * within seconds of its webhook, a message queued before the pause rejected at send, and a fresh replica serving
 * the catalogue from the database alone.
 */
@QuarkusTest
@TestProfile(TemplateCatalogProfile.class)
class TemplateCatalogTest {

    static final Duration PATIENCE = Duration.ofSeconds(15);

    @Inject
    WabaDirectory wabas;
    @Inject
    Vertx vertx;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;
    @Inject
    TemplateCatalog catalog;
    @Inject
    MeterRegistry metrics;
    @Inject
    GatewayConfig config;

    static RequestSpecification api() {
        return given().auth().oauth2("test-key").contentType(ContentType.JSON);
    }

    @BeforeEach
    void freshCatalogue() {
        given().post("/sandbox/reset").then().statusCode(200);
        // each test may sync on demand once
        TestDb.update("update template_catalog set demanded_at = null");
        api().post("/v1/templates/sync").then().statusCode(200).body("templates.main", equalTo(4));
    }

    static String template(String to, String name, String language, String components, String extra) {
        return """
                {"to":"%s","type":"template","template":{"name":"%s","language":{"code":"%s"},"components":%s}%s}"""
                .formatted(to, name, language, components, extra);
    }

    static String bodyParams(int n) {
        StringBuilder p = new StringBuilder("[{\"type\":\"body\",\"parameters\":[");
        for (int i = 0; i < n; i++) {
            p.append(i == 0 ? "" : ",").append("{\"type\":\"text\",\"text\":\"v").append(i).append("\"}");
        }
        return p.append("]}]").toString();
    }

    static void putTemplate(String name, String body) {
        given().contentType(ContentType.JSON).body(body).put("/sandbox/templates/" + name).then().statusCode(200);
    }

    static void refused(String to, String body, String reason, String field) {
        api().body(body).post("/v1/messages").then().statusCode(422).body("reason", equalTo(reason))
                .body("errors[0].field", equalTo(field));
        assertThat(TestDb.count("select count(*) from outbound_message where recipient = ?", to))
                .as("nothing queued for a %s refusal", reason).isZero();
    }

    @Test
    void syncReadsEveryGraphPageAndTheApiListsIt() {
        // 101 more: the gateway reads pages of 100, so the catalogue takes two pages, and the sandbox's paging
        for (int i = 0; i < 101; i++) {
            putTemplate("bulk_%03d".formatted(i), "{\"category\":\"utility\",\"bodyParameters\":1}");
        }
        api().post("/v1/templates/sync?waba=main").then().statusCode(200).body("templates.main", equalTo(105));

        api().get("/v1/templates/otp_code?language=en_US").then().statusCode(200).body("waba", equalTo("main"))
                .body("wabaId", equalTo(TemplateCatalogProfile.WABA_ID))
                .body("languages[0].status", equalTo("APPROVED")).body("languages[0].category", equalTo("authentication"))
                .body("languages[0].quality", equalTo("GREEN"))
                .body("languages[0].parameters.body.parameters", equalTo(1));
        api().get("/v1/templates/promo_offer").then().statusCode(200)
                .body("languages[0].parameters.header.format", equalTo("IMAGE"))
                .body("languages[0].parameters.header.parameters", equalTo(1));

        String next = api().get("/v1/templates?waba=main&limit=100").then().statusCode(200).body("items", hasSize(100))
                .body("nextCursor", notNullValue()).extract().path("nextCursor");
        api().get("/v1/templates?waba=main&limit=100&after=" + next).then().statusCode(200).body("items", hasSize(5))
                .body("nextCursor", nullValue());
        api().get("/v1/templates?name=hello_world&status=approved").then().statusCode(200).body("items", hasSize(1));

        api().get("/v1/templates?waba=nope").then().statusCode(400).body("errors[0].field", equalTo("waba"));
        api().get("/v1/templates?limit=0").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        api().get("/v1/templates?after=not-a-cursor").then().statusCode(400).body("errors[0].field", equalTo("after"));
        api().get("/v1/templates/no_such_one").then().statusCode(404);
        given().get(wagateway.testsupport.Management.url("/q/health/ready")).then().statusCode(200)
                .body("checks.find { it.name == 'Template catalogue' }.data.main",
                        org.hamcrest.Matchers.startsWith("105 templates"));
    }

    @Test
    void eachRefusalIsA422WithItsPathBeforeAnythingIsQueued() {
        String to = TestDb.freshPhone();
        TestDb.optIn(to);
        refused(to, template(to, "no_such_template", "en_US", "[]", ""), TemplateRefusal.UNKNOWN, "template.name");
        refused(to, template(to, "hello_world", "pt_BR", "[]", ""), TemplateRefusal.LANGUAGE, "template.language.code");
        refused(to, template(to, "order_update", "en_US", bodyParams(1), ""), TemplateRefusal.PARAMETERS,
                "template.components[0].parameters");
        refused(to, template(to, "order_update", "en_US",
                "[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"parameter_name\":\"a\",\"text\":\"x\"},"
                        + "{\"type\":\"text\",\"text\":\"y\"}]}]",
                ""), TemplateRefusal.PARAMETERS, "template.components[0].parameters[0].parameter_name");
        refused(to, template(to, "promo_offer", "en_US",
                "[{\"type\":\"header\",\"parameters\":[{\"type\":\"video\",\"video\":{\"id\":\"123\"}}]},"
                        + "{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"x\"}]}]",
                ""), TemplateRefusal.PARAMETERS, "template.components[0].parameters[0].type");
        refused(to, template(to, "hello_world", "en_US", "[]", ",\"category\":\"marketing\""),
                TemplateRefusal.CATEGORY_MISMATCH, "category");

        putTemplate("auth_code", "{\"category\":\"authentication\",\"bodyParameters\":1,\"buttons\":[\"otp\"]}");
        putTemplate("pending_one", "{\"category\":\"utility\",\"status\":\"PENDING\"}");
        api().post("/v1/templates/sync").then().statusCode(200);
        refused(to, template(to, "pending_one", "en_US", "[]", ""), TemplateRefusal.NOT_APPROVED, "template.name");
        refused(to, template(to, "auth_code", "en_US", bodyParams(1), ""), TemplateRefusal.PARAMETERS,
                "template.components");
        refused(to, template(to, "auth_code", "en_US", "[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":"
                + "\"123456\"}]},{\"type\":\"button\",\"sub_type\":\"quick_reply\",\"index\":0,\"parameters\":"
                + "[{\"type\":\"payload\",\"payload\":\"x\"}]}]", ""), TemplateRefusal.PARAMETERS,
                "template.components[1].sub_type");

        // what matches the catalogue goes through, the category taken from it
        api().body(template(to, "auth_code", "en_US", "[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":"
                + "\"123456\"}]},{\"type\":\"button\",\"sub_type\":\"url\",\"index\":\"0\",\"parameters\":"
                + "[{\"type\":\"text\",\"text\":\"123456\"}]}]", "")).post("/v1/messages").then().statusCode(202)
                .body("category", equalTo("authentication"));
    }

    @Test
    void anUnknownTemplateSyncsItsAccountOnceAMinuteBeforeA422() {
        String to = TestDb.freshPhone();
        TestDb.optIn(to);
        // approved at Meta since the last sync, no webhook: the on-demand sync finds it
        putTemplate("approved_since", "{\"category\":\"utility\"}");
        api().body(template(to, "approved_since", "en_US", "[]", "")).post("/v1/messages").then().statusCode(202)
                .body("category", equalTo("utility"));
        // a second one within the minute: no second sync, refused
        putTemplate("approved_later", "{\"category\":\"utility\"}");
        String other = TestDb.freshPhone();
        refused(other, template(other, "approved_later", "en_US", "[]", ""), TemplateRefusal.UNKNOWN, "template.name");
    }

    @Test
    void aBatchSyncsEachAccountOnceOnDemandBeforeRefusingAnUnknownTemplate() {
        String a = TestDb.freshPhone();
        String b = TestDb.freshPhone();
        String c = TestDb.freshPhone();
        List.of(a, b, c).forEach(TestDb::optIn);
        // approved at Meta since the last sync, no webhook; 'never_made' does not exist at Meta either
        putTemplate("batch_new_one", "{\"category\":\"marketing\"}");
        putTemplate("batch_new_two", "{\"category\":\"utility\"}");
        double syncsBefore = syncs();
        api().body("{\"messages\":[" + template(a, "batch_new_one", "en_US", "[]", "") + ","
                + template(b, "never_made", "en_US", "[]", "") + ","
                + template(c, "batch_new_two", "en_US", "[]", "") + "]}")
                .post("/v1/messages/batch").then().statusCode(202).body("accepted", equalTo(2))
                .body("results[0].status", equalTo(202)).body("results[0].message.category", equalTo("marketing"))
                .body("results[1].status", equalTo(422))
                .body("results[1].problem.reason", equalTo(TemplateRefusal.UNKNOWN))
                .body("results[2].status", equalTo(202)).body("results[2].message.category", equalTo("utility"));
        assertThat(syncs() - syncsBefore).as("one on-demand sync for the batch's account").isEqualTo(1.0);
        assertThat(TestDb.count("select count(*) from outbound_message where recipient = ?", b)).isZero();
    }

    private double syncs() {
        var counter = metrics.find("wagateway_template_syncs_total").tag("waba", "main").tag("outcome", "ok").counter();
        return counter == null ? 0 : counter.count();
    }

    /** 'spring_sale' is marketing in the static map (test profile) but utility in the synced catalogue. */
    private static void springSaleIsUtilityAtMeta() {
        putTemplate("spring_sale", "{\"category\":\"utility\"}");
        api().post("/v1/templates/sync").then().statusCode(200);
    }

    @Test
    void theFallbackCategoryAtSendIsTheCataloguesNotTheStaticMaps() {
        springSaleIsUtilityAtMeta();
        String to = TestDb.freshPhone();
        TestDb.optIn(to);
        // a marketing opt-out: a marketing fallback may not go, a utility one may
        TestDb.update("update contact set marketing_opted_out = true where phone = ?", to);
        String sendAt = Instant.now().plusSeconds(2).toString(); // scheduled: judged at send only
        String id = api().body("""
                {"from":"main","to":"%s","type":"text","text":{"body":"hi"},"sendAt":"%s",
                 "fallbackTemplate":{"name":"spring_sale","language":{"code":"en_US"}}}""".formatted(to, sendAt))
                .post("/v1/messages").then().statusCode(202).extract().path("id");
        await().atMost(PATIENCE).untilAsserted(() -> api().get("/v1/messages/" + id).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.oneOf("sent", "delivered", "read")));
        given().get("/sandbox/messages?to=" + to).then().statusCode(200).body("[0].type", equalTo("template"));
    }

    @Test
    void aFallbackQueuedAfterAnAsync131047TakesTheCataloguesCategory() {
        springSaleIsUtilityAtMeta();
        String to = TestDb.freshPhone();
        TestDb.optIn(to);
        // our records say the window is open; the sandbox never saw the customer write: 131047 after acceptance
        TestDb.openWindow(to, "main");
        given().contentType(ContentType.JSON).body("{\"windowErrorSync\":false}").put("/sandbox/faults")
                .then().statusCode(200);
        try {
            String id = api().body("""
                    {"from":"main","to":"%s","type":"text","text":{"body":"hi"},
                     "fallbackTemplate":{"name":"spring_sale","language":{"code":"en_US"}}}""".formatted(to))
                    .post("/v1/messages").then().statusCode(202).extract().path("id");
            await().atMost(PATIENCE).until(() -> TestDb.count(
                    "select count(*) from outbound_message where fallback_of = ?::uuid", id) == 1);
            assertThat(TestDb.query("select category from outbound_message where fallback_of = ?::uuid", id)
                    .get(0).get("category")).isEqualTo("utility");
        } finally {
            given().contentType(ContentType.JSON).body("{}").put("/sandbox/faults").then().statusCode(200);
        }
    }

    @Test
    void aTemplatePausedInTheSandboxIsRefusedWithinSecondsAndAnnounced() {
        String to = TestDb.freshPhone();
        TestDb.optIn(to);
        api().body(template(to, "hello_world", "en_US", "[]", "")).post("/v1/messages").then().statusCode(202);

        Instant paused = Instant.now();
        given().contentType(ContentType.JSON).body("{\"status\":\"PAUSED\",\"reason\":\"LOW_QUALITY\"}")
                .post("/sandbox/templates/hello_world/status").then().statusCode(200).body("status", equalTo("PAUSED"));
        String other = TestDb.freshPhone();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> api()
                .body(template(other, "hello_world", "en_US", "[]", "")).post("/v1/messages").then().statusCode(422)
                .body("reason", equalTo(TemplateRefusal.NOT_APPROVED)));
        assertThat(Duration.between(paused, Instant.now())).isLessThan(Duration.ofSeconds(5));
        assertThat(TestDb.count("select count(*) from outbound_message where recipient = ?", other)).isZero();

        List<Map<String, Object>> events = TestDb.query("select payload::text as p from event_outbox "
                + "where type = 'template.status' and payload->>'name' = 'hello_world' and payload->>'status' = 'PAUSED' "
                + "order by id desc");
        assertThat(events).isNotEmpty();
        assertThat((String) events.get(0).get("p")).contains("\"previousStatus\": \"APPROVED\"", "LOW_QUALITY");

        // quality and category webhooks change the catalogue too
        given().contentType(ContentType.JSON).body("{\"quality\":\"RED\"}").post("/sandbox/templates/order_update/quality")
                .then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"category\":\"marketing\"}")
                .post("/sandbox/templates/order_update/category").then().statusCode(200);
        await().atMost(PATIENCE).untilAsserted(() -> api().get("/v1/templates/order_update").then().statusCode(200)
                .body("languages[0].quality", equalTo("RED")).body("languages[0].category", equalTo("marketing")));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(TestDb.count("select count(*) from event_outbox where "
                + "type = 'template.status' and payload->>'name' = 'order_update' and payload->>'quality' = 'RED'"))
                .isPositive());
    }

    @Test
    void aMessageQueuedBeforeThePauseEndsRejected() {
        String to = TestDb.freshPhone();
        TestDb.optIn(to);
        String sendAt = Instant.now().plusSeconds(3).toString();
        String id = api().body(template(to, "hello_world", "en_US", "[]", ",\"sendAt\":\"" + sendAt + "\""))
                .post("/v1/messages").then().statusCode(202).extract().path("id");
        given().contentType(ContentType.JSON).body("{\"status\":\"PAUSED\"}").post("/sandbox/templates/hello_world/status")
                .then().statusCode(200);
        await().atMost(PATIENCE).untilAsserted(() -> api().get("/v1/messages/" + id).then().statusCode(200)
                .body("status", equalTo("rejected")).body("reason", equalTo(TemplateRefusal.NOT_APPROVED)));
        given().get("/sandbox/messages?to=" + to).then().statusCode(200).body("", hasSize(0));
    }

    @Test
    void aMessageWaitsForAPauseWithAKnownEndAndExpiresIfItsExpiryComesFirst() throws InterruptedException {
        String to = TestDb.freshPhone();
        String hurried = TestDb.freshPhone();
        TestDb.optIn(to);
        TestDb.optIn(hurried);
        String sendAt = Instant.now(clock).plusSeconds(3).toString();
        String waits = api().body(template(to, "hello_world", "en_US", "[]", ",\"sendAt\":\"" + sendAt + "\""))
                .post("/v1/messages").then().statusCode(202).extract().path("id");
        String expires = api().body(template(hurried, "hello_world", "en_US", "[]",
                ",\"sendAt\":\"" + sendAt + "\",\"ttl\":\"PT1H\"")).post("/v1/messages").then().statusCode(202)
                .extract().path("id");
        // Meta's first pause: 3 hours, named in the webhook's other_info
        given().contentType(ContentType.JSON).body("{\"status\":\"PAUSED\",\"pause\":\"FIRST_PAUSE\"}")
                .post("/sandbox/templates/hello_world/status").then().statusCode(200);
        await().atMost(PATIENCE).until(() -> TestDb.count("select count(*) from message_template where "
                + "name = 'hello_world' and status = 'PAUSED' and paused_until is not null") == 1);
        try {
            await().atMost(PATIENCE).untilAsserted(() -> api().get("/v1/messages/" + waits).then().statusCode(200)
                    .body("status", equalTo("queued")).body("reason", equalTo(TemplateRefusal.PAUSED)));
            // its expiry (1 h) comes before the pause ends (3 h): expired, saying why
            await().atMost(PATIENCE).untilAsserted(() -> api().get("/v1/messages/" + expires).then().statusCode(200)
                    .body("status", equalTo("expired")).body("reason", equalTo(TemplateRefusal.PAUSED)));
            TestClockProducer.CLOCK.advance(Duration.ofMinutes(150));
            Thread.sleep(1000); // polls at 0.25 s: it would have gone by now
            api().get("/v1/messages/" + waits).then().body("status", equalTo("queued"));
            given().get("/sandbox/messages?to=" + to).then().statusCode(200).body("", hasSize(0));

            // the pause is over (Meta unpauses on its own): the waiting message goes
            TestClockProducer.CLOCK.advance(Duration.ofMinutes(31));
            await().atMost(PATIENCE).untilAsserted(() -> api().get("/v1/messages/" + waits).then().statusCode(200)
                    .body("status", org.hamcrest.Matchers.oneOf("sent", "delivered", "read")));
        } finally {
            TestClockProducer.CLOCK.reset();
        }
    }

    @Test
    void aFreshReplicaServesTheCatalogueFromTheDatabaseAlone() {
        given().contentType(ContentType.JSON).body("{\"status\":\"DISABLED\"}").post("/sandbox/templates/promo_offer/status")
                .then().statusCode(200);
        await().atMost(PATIENCE).until(() -> TestDb.count("select count(*) from message_template "
                + "where name = 'promo_offer' and status = 'DISABLED'") == 1);
        // from here the Graph says something else: a template the database does not have
        putTemplate("graph_only", "{\"category\":\"utility\"}");

        // a new replica: empty memory, no Graph call, no NOTIFY; it reads the database
        TemplateCatalog fresh = new TemplateCatalog(wabas, config, vertx, mapper, clock, new CatalogSignal(),
                new SimpleMeterRegistry());
        assertThat(fresh.forSender("main").synced()).isFalse();
        fresh.reloadAll().await().atMost(PATIENCE);

        AccountTemplates main = fresh.forSender("main");
        assertThat(main.synced()).isTrue();
        assertThat(main.size()).isEqualTo(4);
        assertThat(main.find("promo_offer", "en_US").status()).isEqualTo("DISABLED");
        assertThat(main.find("graph_only", "en_US")).isNull();
        assertThat(fresh.forSender("second")).as("a sender of no account").isNull();
        assertThat(main.find("hello_world", "en_US").category()).isEqualTo("utility");
        assertThat(catalog.forSender("main").find("promo_offer", "en_US").status()).isEqualTo("DISABLED");
    }

    @Test
    void aSenderOfNoAccountKeepsTheStaticChecks() {
        String to = TestDb.freshPhone();
        TestDb.optIn(to);
        // 'second' belongs to no account: an unknown template is Meta's to refuse, as before
        api().body("""
                {"from":"second","to":"%s","type":"template","category":"utility","template":{"name":"not_in_catalogue",
                 "language":{"code":"en_US"}}}""".formatted(to)).post("/v1/messages").then().statusCode(202);
        api().get("/v1/templates").then().statusCode(200).body("items.name", hasItem("hello_world"));
        given().get("/v1/templates").then().statusCode(401);
    }
}
