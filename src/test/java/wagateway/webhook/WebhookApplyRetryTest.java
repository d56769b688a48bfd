package wagateway.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.testsupport.Management;
import wagateway.testsupport.TestClockProducer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static wagateway.webhook.MetaWebhooks.freshWaId;

/**
 * A stored webhook whose apply keeps failing (issue 16, point 14): it is tried again after a back-off that
 * doubles from {@code gateway.webhook.retry-initial-backoff} (PT5S) up to {@code retry-max-backoff} (PT15M);
 * nudges and drains in between do not count as attempts; after the last attempt it is {@code failed}, counted by
 * the gauge, and {@code POST /v1/webhooks/failed/reapply} queues it again.
 */
@QuarkusTest
class WebhookApplyRetryTest {

    @Inject
    WebhookDrainJob drainJob;

    @BeforeEach
    void refuseSomeInboundMessages() {
        // A database that refuses this one message on every attempt (a bug, a constraint): test-only trigger.
        TestDb.update("""
                create or replace function test_refuse_retry() returns trigger language plpgsql as $$
                begin
                    if new.wamid like 'wamid.RETRY%' then raise exception 'refused by the retry test'; end if;
                    return new;
                end $$""");
        TestDb.update("create trigger test_refuse_retry before insert on inbound_message for each row "
                + "execute function test_refuse_retry()");
    }

    @AfterEach
    void cleanUp() {
        TestDb.update("drop trigger if exists test_refuse_retry on inbound_message");
        TestClockProducer.CLOCK.reset();
    }

    @Test
    void aFailingRowIsRetriedWithGrowingDelayCountingOnlyRealTriesThenFailsAndIsReappliedOnRequest() {
        String wamid = "wamid.RETRY" + UUID.randomUUID();
        ObjectNode payload = MetaWebhooks.text(freshWaId(), "hello");
        ((ObjectNode) MetaWebhooks.messages(payload).get(0)).put("id", wamid);
        long before = MetaWebhooks.lastInboxId();
        Instant postedAt = TestClockProducer.CLOCK.instant();
        MetaWebhooks.post(payload.toString()).statusCode(200);
        long id = TestDb.count("select min(id) from webhook_inbox where id > ? and body like ?", before, "%" + wamid + "%");

        // the nudge of the POST made the first attempt
        await().atMost(Duration.ofSeconds(15)).until(() -> attempts(id) == 1);
        assertDueWithin(id, postedAt, TestClockProducer.CLOCK.instant(), 5);

        // more webhooks (each nudges a drain) and drain ticks before the back-off is over: no attempt
        for (int i = 0; i < 5; i++) {
            MetaWebhooks.postApplied(MetaWebhooks.text(freshWaId(), "nudge " + i));
            drainJob.drain().await().atMost(Duration.ofSeconds(10));
        }
        assertEquals(1, attempts(id));
        assertEquals("pending", row(id).get("state"));

        // each attempt once due, with the ceiling doubling: 5 s, 10 s, 20 s, ... capped at 15 min
        long[] ceilings = { 10, 20, 40, 80, 160, 320, 640, 900 };
        for (int attempt = 2; attempt <= 9; attempt++) {
            Instant due = (Instant) row(id).get("next_attempt_at");
            advancePast(due);
            int expected = attempt;
            // our drain, or the scheduled one if it comes first: one attempt either way
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                drainJob.drain().await().atMost(Duration.ofSeconds(10));
                return attempts(id) == expected;
            });
            assertDueWithin(id, due, TestClockProducer.CLOCK.instant(), ceilings[attempt - 2]);
            drainJob.drain().await().atMost(Duration.ofSeconds(10));
            assertEquals(attempt, attempts(id), "a drain before the back-off is over is no attempt");
        }
        advancePast((Instant) row(id).get("next_attempt_at"));
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            drainJob.drain().await().atMost(Duration.ofSeconds(10));
            return "failed".equals(row(id).get("state"));
        });
        Map<String, Object> failed = row(id);
        assertEquals("failed", failed.get("state"));
        assertEquals(10, failed.get("attempts"));
        assertTrue(((String) failed.get("last_error")).contains("refused by the retry test"));
        assertTrue(failedGauge() >= 1.0, "failed rows gauge");

        // after the fix, an operator queues the failed rows again (the API key is required, as on every /v1 route)
        TestDb.update("drop trigger test_refuse_retry on inbound_message");
        given().when().post("/v1/webhooks/failed/reapply").then().statusCode(401);
        given().auth().oauth2("test-key").when().post("/v1/webhooks/failed/reapply")
                .then().statusCode(200).body("queued", greaterThanOrEqualTo(1));
        await().atMost(Duration.ofSeconds(15)).until(() -> "applied".equals(row(id).get("state")));
        assertEquals(1, attempts(id), "attempts count from zero again");
        assertEquals(1L, TestDb.count("select count(*) from inbound_message where wamid = ?", wamid));
        given().auth().oauth2("test-key").when().post("/v1/webhooks/failed/reapply")
                .then().statusCode(200).body("queued", equalTo(0));
    }

    private static Map<String, Object> row(long id) {
        return TestDb.row("select state, attempts, last_error, next_attempt_at from webhook_inbox where id = ?", id);
    }

    private static int attempts(long id) {
        return (Integer) row(id).get("attempts");
    }

    /** The next attempt is due between half the ceiling and the ceiling after the failure (equal jitter). */
    private static void assertDueWithin(long id, Instant failedFrom, Instant failedBy, long ceilingSeconds) {
        Instant next = (Instant) row(id).get("next_attempt_at");
        assertTrue(!next.isBefore(failedFrom.plusMillis(ceilingSeconds * 500)), () -> "next " + next + " too early");
        assertTrue(!next.isAfter(failedBy.plusSeconds(ceilingSeconds)), () -> "next " + next + " too late");
    }

    private static void advancePast(Instant due) {
        Duration wait = Duration.between(TestClockProducer.CLOCK.instant(), due).plusMillis(50);
        if (!wait.isNegative()) {
            TestClockProducer.CLOCK.advance(wait);
        }
    }

    private static double failedGauge() {
        String metrics = given().when().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("wagateway_webhooks_inbox{state=\"failed\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }
}
