package wagateway.webhook;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import wagateway.message.MetaStatusApplier;
import wagateway.testsupport.Management;
import wagateway.testsupport.TestClockProducer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static wagateway.webhook.MetaWebhooks.freshWaId;
import static wagateway.webhook.MetaWebhooks.freshWamid;
import static wagateway.webhook.MetaWebhooks.postApplied;
import static wagateway.webhook.MetaWebhooks.retargeted;
import static wagateway.webhook.MetaWebhooks.status;
import static wagateway.webhook.MetaWebhooks.statuses;

/** Delivery statuses from Meta: every fixture, order, duplicates, unknown wamids, failures and their effects. */
@QuarkusTest
class StatusWebhookTest {

    @Inject
    MetaStatusApplier statuses;

    @Inject
    WebhookDrainJob drainJob;

    @Inject
    Pool pool;

    @AfterEach
    void resetClock() {
        TestClockProducer.CLOCK.reset();
    }

    @Test
    void deliveredMovesTheMessageKeepsPricingAndTellsTheBusiness() {
        Sent sent = Sent.message("sent", "{\"orderId\":\"A-17\"}");
        ObjectNode payload = retargeted("status-delivered-cbp.json", sent.waId, sent.wamid);
        Instant at = Instant.ofEpochSecond(statuses(payload).get(0).path("timestamp").asLong());
        postApplied(payload);

        assertEquals("delivered", sent.status());
        Map<String, Object> timeline = TestDb.row("select status, source, occurred_at, details from message_event "
                + "where message_id = ?", sent.id);
        assertEquals("delivered", timeline.get("status"));
        assertEquals("webhook", timeline.get("source"));
        assertEquals(at, timeline.get("occurred_at"));
        assertEquals("CBP",
                new JsonObject((String) timeline.get("details")).getJsonObject("pricing").getString("pricing_model"));

        List<JsonObject> events = sent.events();
        assertEquals(1, events.size());
        JsonObject event = events.get(0);
        assertEquals(sent.id.toString(), event.getString("messageId"));
        assertEquals(sent.wamid, event.getString("wamid"));
        assertEquals("+" + sent.waId, event.getString("to"));
        assertEquals("delivered", event.getString("status"));
        assertEquals(at.toString(), event.getString("timestamp"));
        assertEquals("A-17", event.getJsonObject("metadata").getString("orderId"));
        assertEquals("business_initiated", event.getJsonObject("pricing").getString("category"));
        assertNull(event.getValue("fallbackSuggested"));
    }

    @Test
    void readMovesTheMessage() {
        Sent sent = Sent.message("delivered", null);
        postApplied(retargeted("status-read-cbp.json", sent.waId, sent.wamid));
        assertEquals("read", sent.status());
        assertEquals("read", sent.events().get(0).getString("status"));
    }

    @Test
    void failed131047ClosesTheWindowAndSuggestsAFallback() {
        Sent sent = Sent.message("sent", null);
        // The customer wrote yesterday: the window is open in our records...
        TestClockProducer.CLOCK.advance(Duration.ofHours(-23));
        postApplied(MetaWebhooks.text(sent.waId, "hello"));
        TestClockProducer.CLOCK.reset();
        assertTrue(((Instant) contact(sent.phone()).get("window_open_until")).isAfter(Instant.now()));
        // ...but Meta says it was closed.
        ObjectNode payload = retargeted("status-failed-131047.json", sent.waId, sent.wamid);
        Instant at = Instant.ofEpochSecond(statuses(payload).get(0).path("timestamp").asLong());
        postApplied(payload);

        Map<String, Object> message = TestDb.row("select status, error_code, error_title, error_detail "
                + "from outbound_message where id = ?", sent.id);
        assertEquals("failed", message.get("status"));
        assertEquals(131047, message.get("error_code"));
        assertEquals("Re-engagement message", message.get("error_title"));
        assertTrue(((String) message.get("error_detail")).startsWith("Message failed to send because more than 24 hours"));
        assertEquals(at, contact(sent.phone()).get("window_open_until"));
        given().auth().oauth2("test-key").when().get("/v1/contacts/{phone}", sent.phone())
                .then().statusCode(200).body("windowOpen", equalTo(false));

        JsonObject event = sent.events().get(0);
        assertEquals("failed", event.getString("status"));
        assertEquals(131047, event.getJsonObject("error").getInteger("code"));
        assertEquals("Re-engagement message", event.getJsonObject("error").getString("title"));
        assertEquals(true, event.getBoolean("fallbackSuggested"));
    }

    @Test
    void failed131026SuggestsAFallback() {
        Sent sent = Sent.message("sent", null);
        postApplied(failure(sent, 131026, "Message undeliverable"));
        assertEquals("failed", sent.status());
        assertEquals(true, sent.events().get(0).getBoolean("fallbackSuggested"));
    }

    @Test
    void otherFailuresSuggestNoFallback() {
        Sent sent = Sent.message("sent", null);
        postApplied(failure(sent, 132001, "Template does not exist"));
        assertEquals("failed", sent.status());
        assertNull(sent.events().get(0).getValue("fallbackSuggested"));
        assertEquals(132001, sent.events().get(0).getJsonObject("error").getInteger("code"));
    }

    @Test
    void failed131050RecordsAMarketingOptOut() {
        Sent sent = Sent.message("sent", null);
        postApplied(failure(sent, 131050, "Unable to deliver the message"));
        Map<String, Object> consent = TestDb.row("select status, scope, source, evidence from consent_event where phone = ?",
                sent.phone());
        assertEquals(Map.of("status", "opted_out", "scope", "marketing", "source", "cloud_api_131050",
                "evidence", sent.wamid), consent);
        assertEquals(true, contact(sent.phone()).get("marketing_opted_out"));
        assertEquals("none", contact(sent.phone()).get("consent_status"));
    }

    @Test
    void aLateStatusNeverMovesTheMessageBackButStaysInTheTimeline() {
        Sent sent = Sent.message("sent", null);
        Instant now = TestClockProducer.CLOCK.instant().truncatedTo(ChronoUnit.SECONDS);
        postApplied(status(sent.waId, sent.wamid, "read", now));
        postApplied(status(sent.waId, sent.wamid, "delivered", now.minusSeconds(5)));

        assertEquals("read", sent.status());
        assertEquals(List.of("delivered", "read"), sent.timeline());
        assertEquals(List.of("read"), sent.events().stream().map(e -> e.getString("status")).toList());
    }

    @Test
    void aVoiceMessageMovesOnToPlayedAndALateReadDoesNotMoveItBack() {
        Sent sent = Sent.message("delivered", null);
        Instant now = TestClockProducer.CLOCK.instant().truncatedTo(ChronoUnit.SECONDS);
        postApplied(status(sent.waId, sent.wamid, "played", now));
        postApplied(status(sent.waId, sent.wamid, "read", now.minusSeconds(2)));

        assertEquals("played", sent.status());
        assertEquals(List.of("played", "read"), sent.timeline());
        assertEquals(List.of("played"), sent.events().stream().map(e -> e.getString("status")).toList());
    }

    @Test
    void aLateSentWebhookDoesNotRepeatTheSentTheCloudApiAnswerRecorded() {
        Sent sent = Sent.message("sent", null);
        // the dispatcher recorded the Cloud API's answer as the timeline's "sent"
        TestDb.update(
                "insert into message_event (message_id, status, source, occurred_at) values (?, 'sent', 'gateway', now())",
                sent.id);
        Instant now = TestClockProducer.CLOCK.instant().truncatedTo(ChronoUnit.SECONDS);
        postApplied(status(sent.waId, sent.wamid, "read", now));
        postApplied(status(sent.waId, sent.wamid, "delivered", now.minusSeconds(1)));
        postApplied(status(sent.waId, sent.wamid, "sent", now.minusSeconds(2)));

        assertEquals(List.of("sent", "read", "delivered"), TestDb.rows("select status from message_event "
                + "where message_id = ? order by id", sent.id).stream().map(r -> r.get("status")).toList());
        assertEquals("read", sent.status());
    }

    @Test
    void aFailureAfterDeliveryDoesNotMoveTheMessage() {
        Sent sent = Sent.message("delivered", null);
        postApplied(failure(sent, 131000, "Something went wrong"));
        assertEquals("delivered", sent.status());
        assertEquals(List.of("failed"), sent.timeline());
        assertTrue(sent.events().isEmpty());
    }

    @Test
    void appliesARedeliveredStatusOnce() {
        Sent sent = Sent.message("sent", null);
        ObjectNode payload = status(sent.waId, sent.wamid, "delivered", Instant.now());
        postApplied(payload);
        postApplied(payload);
        assertEquals(List.of("delivered"), sent.timeline());
        assertEquals(1, sent.events().size());
    }

    @Test
    void appliesEveryEntryAndStatusOfOnePost() {
        Sent first = Sent.message("sent", null);
        Sent second = Sent.message("sent", null);
        Sent third = Sent.message("sent", null);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ObjectNode payload = status(first.waId, first.wamid, "delivered", now);
        ArrayNode items = statuses(payload);
        items.add(statuses(status(first.waId, first.wamid, "read", now.plusSeconds(1))).get(0));
        items.add(statuses(status(second.waId, second.wamid, "delivered", now)).get(0));
        ((ArrayNode) payload.path("entry")).add(status(third.waId, third.wamid, "read", now).path("entry").get(0));
        postApplied(payload);

        assertEquals("read", first.status());
        assertEquals(List.of("delivered", "read"), first.timeline());
        assertEquals(List.of("delivered", "read"), first.events().stream().map(e -> e.getString("status")).toList());
        assertEquals("delivered", second.status());
        assertEquals("read", third.status());
    }

    @Test
    void matchesByOurIdWhenTheWamidIsUnknownAndRecordsIt() {
        // The dispatcher crashed after the send: no wamid on record, but Meta echoes our id.
        String waId = freshWaId();
        UUID id = TestDb.insertOutbound("+" + waId, null, "sending", null, null);
        String wamid = freshWamid();
        ObjectNode payload = status(waId, wamid, "sent", Instant.now());
        ((ObjectNode) statuses(payload).get(0)).put("biz_opaque_callback_data", id.toString());
        postApplied(payload);

        Map<String, Object> message = TestDb.row("select status, wamid from outbound_message where id = ?", id);
        assertEquals("sent", message.get("status"));
        assertEquals(wamid, message.get("wamid"));
        // Later statuses then match by wamid alone.
        postApplied(status(waId, wamid, "delivered", Instant.now()));
        assertEquals("delivered", TestDb.value("select status from outbound_message where id = ?", id));
    }

    @Test
    void keepsStatusesOfAnUnknownWamidAndAppliesThemWhenTheMessageShowsUp() {
        String waId = freshWaId();
        String wamid = freshWamid();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ObjectNode payload = status(waId, wamid, "delivered", now);
        statuses(payload).add(statuses(status(waId, wamid, "read", now.plusSeconds(2))).get(0));
        postApplied(payload);
        postApplied(status(waId, wamid, "sent", now.minusSeconds(1)));
        postApplied(status(waId, wamid, "sent", now.minusSeconds(1))); // redelivered: kept once
        assertEquals(List.of("delivered", "read", "sent"),
                TestDb.rows("select status from orphan_status where wamid = ? order by status", wamid).stream()
                        .map(r -> r.get("status")).toList());

        // The dispatcher records the wamid and, in the same transaction, applies what was kept.
        UUID id = TestDb.insertOutbound("+" + waId, null, "sending", null, null);
        pool.withTransaction(tx -> tx.preparedQuery("update outbound_message set wamid = $2, status = 'sent' where id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(id, wamid))
                .chain(() -> statuses.applyKept(tx, List.of(wamid))))
                .await().atMost(Duration.ofSeconds(10));

        assertEquals("read", TestDb.value("select status from outbound_message where id = ?", id));
        assertEquals(List.of("sent", "delivered", "read"), TestDb.rows("select status from message_event "
                + "where message_id = ? order by occurred_at", id).stream().map(r -> r.get("status")).toList());
        assertEquals(0L, TestDb.count("select count(*) from orphan_status where wamid = ?", wamid));
        assertEquals(List.of("delivered", "read"), TestDb.rows("select payload->>'status' as status from event_outbox "
                + "where message_id = ? order by id", id).stream().map(r -> r.get("status")).toList());
    }

    @Test
    void theDrainAppliesKeptStatusesWhoseWamidWasRecordedMeanwhile() {
        String waId = freshWaId();
        String wamid = freshWamid();
        postApplied(status(waId, wamid, "delivered", Instant.now()));
        UUID id = TestDb.insertOutbound("+" + waId, wamid, "sent", null, null);

        drainJob.drain().await().atMost(Duration.ofSeconds(10));
        assertEquals("delivered", TestDb.value("select status from outbound_message where id = ?", id));
        assertEquals(0L, TestDb.count("select count(*) from orphan_status where wamid = ?", wamid));
    }

    @Test
    void keepsAnUnknownStatusValueInTheTimelineAndChangesNothingElse() {
        Sent sent = Sent.message("delivered", null);
        ObjectNode payload = status(sent.waId, sent.wamid, "deleted", Instant.now());
        ((ObjectNode) statuses(payload).get(0)).put("future_field", "x");
        postApplied(payload);
        assertEquals("delivered", sent.status());
        assertEquals(List.of("deleted"), sent.timeline());
        assertTrue(sent.events().isEmpty());
    }

    @Test
    void userPreferencesStopAndResumeRecordMarketingConsentOnce() {
        String waId = freshWaId();
        String phone = "+" + waId;
        String userId = "US." + UUID.randomUUID();
        ObjectNode stop = retargeted("user-preferences-marketing-resume.json", waId, freshWamid());
        ObjectNode item = (ObjectNode) MetaWebhooks.value(stop).path("user_preferences").get(0);
        item.put("value", "stop").put("detail", "User requested to stop marketing messages");
        ((ObjectNode) MetaWebhooks.value(stop).path("contacts").get(0)).put("user_id", userId);
        postApplied(stop);
        postApplied(stop); // Meta redelivers
        assertEquals(true, contact(phone).get("marketing_opted_out"));
        assertEquals(userId, contact(phone).get("user_id"));

        TestClockProducer.CLOCK.advance(Duration.ofHours(1));
        postApplied(retargeted("user-preferences-marketing-resume.json", waId, freshWamid()));
        assertEquals(false, contact(phone).get("marketing_opted_out"));
        assertEquals(List.of(Map.of("status", "opted_out", "scope", "marketing", "source", "user_preferences"),
                Map.of("status", "opted_in", "scope", "marketing", "source", "user_preferences")),
                TestDb.rows("select status, scope, source from consent_event where phone = ? order by id", phone));
    }

    @Test
    void answersAtOnceWhileTheDatabaseIsSlowAndAppliesLater() throws Exception {
        Sent sent = Sent.message("sent", null);
        long before = MetaWebhooks.lastInboxId();
        try (Connection locker = TestDb.connect()) {
            locker.setAutoCommit(false);
            try (PreparedStatement lock = locker.prepareStatement("select id from outbound_message where id = ? for update")) {
                lock.setObject(1, sent.id);
                lock.executeQuery();
            }
            // Applying blocks on the locked row; the answer must not wait for it (else this POST would hang
            // until the socket timeout, since the lock is only released below).
            String body = status(sent.waId, sent.wamid, "delivered", Instant.now()).toString();
            given().config(RestAssured.config().httpClient(HttpClientConfig.httpClientConfig()
                    .setParam("http.socket.timeout", 10_000)))
                    .contentType("application/json").header("X-Hub-Signature-256", MetaWebhooks.sign(body)).body(body)
                    .when().post("/webhooks/whatsapp")
                    .then().statusCode(200);

            Map<String, Object> raw = TestDb.row("select state, body from webhook_inbox where id > ?", before);
            assertEquals("pending", raw.get("state"));
            assertEquals(body, raw.get("body"));
            assertEquals("sent", sent.status());
            locker.rollback();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> "delivered".equals(sent.status()));
        await().atMost(Duration.ofSeconds(15)).until(() -> "applied".equals(
                TestDb.value("select state from webhook_inbox where id > ?", before)));
    }

    @Test
    void aStoredWebhookThatKeepsFailingIsMarkedFailedAndStaysVisible() {
        // A database that refuses this one message on every attempt (a bug, a constraint): test-only trigger.
        TestDb.update("""
                create or replace function test_refuse_inbound() returns trigger language plpgsql as $$
                begin
                    if new.wamid like 'wamid.REFUSED%' then raise exception 'refused by the test'; end if;
                    return new;
                end $$""");
        TestDb.update("create trigger test_refuse_inbound before insert on inbound_message for each row "
                + "execute function test_refuse_inbound()");
        try {
            ObjectNode payload = MetaWebhooks.text(freshWaId(), "hello");
            String wamid = "wamid.REFUSED" + UUID.randomUUID();
            ((ObjectNode) MetaWebhooks.messages(payload).get(0)).put("id", wamid);
            long before = MetaWebhooks.lastInboxId();
            MetaWebhooks.post(payload.toString()).statusCode(200);

            // each attempt waits out its back-off (at most gateway.webhook.retry-max-backoff, PT15M)
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                TestClockProducer.CLOCK.advance(Duration.ofMinutes(16));
                drainJob.drain().await().atMost(Duration.ofSeconds(10));
                return "failed".equals(TestDb.value("select state from webhook_inbox where id > ?", before));
            });
            Map<String, Object> row = TestDb.row("select attempts, last_error, body from webhook_inbox where id > ?", before);
            assertEquals(10, row.get("attempts"));
            assertTrue(((String) row.get("last_error")).contains("refused by the test"), (String) row.get("last_error"));
            assertEquals(payload.toString(), row.get("body"));
            assertEquals(0L, TestDb.count("select count(*) from inbound_message where wamid = ?", wamid));
            String metrics = given().when().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("wagateway_webhooks_inbox{state=\"failed\"}")
                    && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 1.0), "failed rows gauge");
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("wagateway_webhooks_failed_total")), "failed counter");
        } finally {
            TestDb.update("drop trigger if exists test_refuse_inbound on inbound_message");
        }
    }

    private static ObjectNode failure(Sent sent, int code, String title) {
        ObjectNode payload = retargeted("status-failed-131047.json", sent.waId, sent.wamid);
        ObjectNode error = (ObjectNode) statuses(payload).get(0).path("errors").get(0);
        error.put("code", code).put("title", title).put("message", title);
        return payload;
    }

    private static Map<String, Object> contact(String phone) {
        return TestDb.row("select * from contact where phone = ?", phone);
    }

    /** An outbound message the dispatcher has sent (it has a wamid), to a fresh customer. */
    private record Sent(UUID id, String waId, String wamid) {

        static Sent message(String status, String metadataJson) {
            String waId = freshWaId();
            String wamid = freshWamid();
            return new Sent(TestDb.insertOutbound("+" + waId, wamid, status, null, metadataJson), waId, wamid);
        }

        String phone() {
            return "+" + waId;
        }

        String status() {
            return (String) TestDb.value("select status from outbound_message where id = ?", id);
        }

        List<Object> timeline() {
            return TestDb.rows("select status from message_event where message_id = ? and source = 'webhook' "
                    + "order by status", id).stream().map(r -> r.get("status")).toList();
        }

        List<JsonObject> events() {
            return TestDb.rows("select payload from event_outbox where message_id = ? and type = 'message.status' "
                    + "order by id", id).stream().map(r -> new JsonObject((String) r.get("payload"))).toList();
        }
    }
}
