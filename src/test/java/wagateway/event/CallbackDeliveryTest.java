package wagateway.event;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import wagateway.support.Hmac;
import wagateway.testsupport.Management;
import wagateway.testsupport.TestClockProducer;
import wagateway.webhook.TestDb;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static wagateway.webhook.MetaWebhooks.freshWaId;
import static wagateway.webhook.MetaWebhooks.freshWamid;
import static wagateway.webhook.MetaWebhooks.postApplied;
import static wagateway.webhook.MetaWebhooks.status;
import static wagateway.webhook.MetaWebhooks.statuses;

/** Status events POSTed to the business: signed, retried, in order per message, dead after the maximum age. */
@QuarkusTest
class CallbackDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    CallbackDispatcher dispatcher;

    @AfterEach
    void resetClock() {
        TestClockProducer.CLOCK.reset();
    }

    @Test
    void signsEachCallbackAndRetriesUntilTheBusinessAcknowledges() {
        String sink = "retry-" + UUID.randomUUID();
        CallbackSink.failFirst(sink, 2);
        Message message = Message.to(sink, "{\"orderId\":\"42\"}");
        postApplied(status(message.waId, message.wamid, "delivered", Instant.now()));
        long eventId = message.eventIds().get(0);

        await().atMost(WAIT).until(() -> message.attempts(eventId) >= 1);
        Map<String, Object> failed = message.event(eventId);
        assertEquals("pending", failed.get("state"));
        assertEquals("HTTP 500", failed.get("last_error"));
        assertTrue(((Instant) failed.get("next_attempt_at")).isAfter(TestClockProducer.CLOCK.instant()),
                "backs off before the next attempt");
        for (int attempt = 2; attempt <= 3; attempt++) {
            TestClockProducer.CLOCK.advance(Duration.ofMinutes(1));
            int expected = attempt;
            await().atMost(WAIT).until(() -> CallbackSink.received(sink).size() >= expected);
        }
        await().atMost(WAIT).until(() -> "delivered".equals(message.event(eventId).get("state")));

        List<CallbackSink.Received> received = CallbackSink.received(sink);
        assertEquals(List.of(500, 500, 200), received.stream().map(CallbackSink.Received::answeredWith).toList());
        assertEquals(3, message.attempts(eventId));
        for (CallbackSink.Received request : received) {
            assertEquals(Hmac.sign("test-callback-secret", request.body()), request.headers().get("x-wagateway-signature"));
            assertEquals(String.valueOf(eventId), request.headers().get("x-wagateway-event-id"));
            assertEquals("message.status", request.headers().get("x-wagateway-event-type"));
            assertTrue(request.headers().get("content-type").startsWith("application/json"));
        }
        JsonObject body = new JsonObject(received.get(2).text());
        assertEquals(String.valueOf(eventId), body.getString("id"));
        assertEquals("message.status", body.getString("type"));
        assertEquals(message.id.toString(), body.getString("messageId"));
        assertEquals("delivered", body.getString("status"));
        assertEquals("42", body.getJsonObject("metadata").getString("orderId"));
        assertTrue(Instant.parse(body.getString("createdAt")).isBefore(TestClockProducer.CLOCK.instant()));
    }

    @Test
    void keepsEachMessagesEventsInOrderWithoutHoldingUpOtherMessages() {
        String sink = "order-" + UUID.randomUUID();
        CallbackSink.failFirst(sink, 1);
        Message first = Message.to(sink, null);
        Message other = Message.to(sink, null);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ObjectNode payload = status(first.waId, first.wamid, "delivered", now);
        statuses(payload).add(statuses(status(first.waId, first.wamid, "read", now.plusSeconds(1))).get(0));
        postApplied(payload);
        await().atMost(WAIT).until(() -> CallbackSink.received(sink).size() >= 1);
        assertEquals(List.of("delivered:500"), first.seenBy(sink));

        // While the first event waits for its retry, the message's next event is held back...
        dispatcher.deliverDue().await().atMost(WAIT);
        assertFalse(first.seenBy(sink).stream().anyMatch(s -> s.startsWith("read")), "read went before delivered");
        // ...but another message's events still go.
        postApplied(status(other.waId, other.wamid, "delivered", now));
        await().atMost(WAIT).until(() -> other.seenBy(sink).equals(List.of("delivered:200")));

        TestClockProducer.CLOCK.advance(Duration.ofMinutes(1));
        await().atMost(WAIT).until(() -> first.seenBy(sink).size() == 3);
        assertEquals(List.of("delivered:500", "delivered:200", "read:200"), first.seenBy(sink));
    }

    @Test
    void deliversACustomerReplyToTheCallbackUrlOfTheMessageItAnswers() {
        String sink = "reply-" + UUID.randomUUID();
        Message ours = Message.to(sink, "{\"ticket\":\"T-9\"}");
        ObjectNode reply = wagateway.webhook.MetaWebhooks.text(ours.waId, "Yes, tomorrow works");
        ObjectNode item = (ObjectNode) wagateway.webhook.MetaWebhooks.messages(reply).get(0);
        item.putObject("context").put("from", "15550001111").put("id", ours.wamid);
        postApplied(reply);

        await().atMost(WAIT).until(() -> !CallbackSink.received(sink).isEmpty());
        CallbackSink.Received request = CallbackSink.received(sink).get(0);
        assertEquals(Hmac.sign("test-callback-secret", request.body()), request.headers().get("x-wagateway-signature"));
        assertEquals("message.received", request.headers().get("x-wagateway-event-type"));
        JsonObject body = new JsonObject(request.text());
        assertEquals("message.received", body.getString("type"));
        assertEquals("text", body.getString("messageType"));
        assertEquals("Yes, tomorrow works", body.getJsonObject("content").getString("body"));
        assertEquals("+" + ours.waId, body.getString("from"));
        assertEquals(ours.id.toString(), body.getJsonObject("inReplyTo").getString("messageId"));
        assertEquals("T-9", body.getJsonObject("metadata").getString("ticket"));
        assertEquals(item.path("id").asText(), body.getString("wamid"));
    }

    @Test
    void keepsAnEventThatIsNeverAcknowledgedAsDeadAndListsIt() {
        String sink = "dead-" + UUID.randomUUID();
        CallbackSink.failFirst(sink, Integer.MAX_VALUE);
        Message message = Message.to(sink, "{\"journey\":\"cart\"}");
        postApplied(status(message.waId, message.wamid, "delivered", Instant.now()));
        long eventId = message.eventIds().get(0);
        await().atMost(WAIT).until(() -> message.attempts(eventId) >= 1);

        TestClockProducer.CLOCK.advance(Duration.ofHours(25));
        await().atMost(WAIT).until(() -> "dead".equals(message.event(eventId).get("state")));

        JsonPath dead = given().auth().oauth2("test-key").queryParam("limit", 500)
                .when().get("/v1/events/dead")
                .then().statusCode(200).extract().jsonPath();
        Map<String, Object> listed = dead.getMap("events.find { it.id == '" + eventId + "' }");
        assertEquals("message.status", listed.get("type"));
        assertEquals(message.id.toString(), listed.get("messageId"));
        assertEquals(CallbackSink.url(sink), listed.get("url"));
        assertEquals("HTTP 500", listed.get("lastError"));
        assertTrue((Integer) listed.get("attempts") >= 2);
        assertEquals("cart", ((Map<?, ?>) ((Map<?, ?>) listed.get("payload")).get("metadata")).get("journey"));
        await().atMost(WAIT).until(() -> deadGauge() >= 1.0);
    }

    @Test
    void theDeadListNeedsAKeyAndASaneLimit() {
        given().when().get("/v1/events/dead").then().statusCode(401);
        given().auth().oauth2("test-key").queryParam("limit", 0).when().get("/v1/events/dead")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2("test-key").queryParam("limit", 501).when().get("/v1/events/dead")
                .then().statusCode(400);
        given().auth().oauth2("test-key").when().get("/v1/events/dead")
                .then().statusCode(200).body("events", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void exposesDeliveryMetrics() {
        String metrics = given().when().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("wagateway_callbacks_dead"), "dead gauge");
        given().when().get(Management.url("/q/metrics")).then().statusCode(200).body(org.hamcrest.Matchers.containsString(
                "wagateway_webhooks_inbox{state=\"pending\"}"));
    }

    private static double deadGauge() {
        String metrics = given().when().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("wagateway_callbacks_dead"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    /** A sent message whose events go to a test sink. */
    private record Message(UUID id, String waId, String wamid) {

        static Message to(String sink, String metadataJson) {
            String waId = freshWaId();
            String wamid = freshWamid();
            return new Message(TestDb.insertOutbound("+" + waId, wamid, "sent", CallbackSink.url(sink), metadataJson),
                    waId, wamid);
        }

        List<Long> eventIds() {
            return TestDb.rows("select id from event_outbox where message_id = ? order by id", id).stream()
                    .map(r -> (Long) r.get("id")).toList();
        }

        Map<String, Object> event(long eventId) {
            return TestDb.row("select state, attempts, last_error, next_attempt_at from event_outbox where id = ?", eventId);
        }

        int attempts(long eventId) {
            return (Integer) event(eventId).get("attempts");
        }

        /** "status:answer" of each request the sink received for this message, in arrival order. */
        List<String> seenBy(String sink) {
            return CallbackSink.received(sink).stream()
                    .filter(r -> id.toString().equals(new JsonObject(r.text()).getString("messageId")))
                    .map(r -> new JsonObject(r.text()).getString("status") + ":" + r.answeredWith())
                    .toList();
        }
    }
}
