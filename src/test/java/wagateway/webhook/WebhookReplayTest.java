package wagateway.webhook;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.testsupport.Management;
import wagateway.testsupport.TestClockProducer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static wagateway.webhook.MetaWebhooks.freshWaId;
import static wagateway.webhook.MetaWebhooks.freshWamid;
import static wagateway.webhook.MetaWebhooks.retargeted;

/**
 * A signed body seen before (issue 16, point 16): Meta's own retries and replays are answered 200 and not stored
 * again, for 7 days after the first, whatever the body retention.
 */
@QuarkusTest
class WebhookReplayTest {

    @Inject
    WebhookRetentionJob retention;

    @AfterEach
    void resetClock() {
        TestClockProducer.CLOCK.reset();
    }

    @Test
    void theSameBytesTwiceAreStoredOnce() {
        String wamid = freshWamid();
        String body = retargeted("inbound-text.json", freshWaId(), wamid).toString();
        long before = MetaWebhooks.lastInboxId();
        double duplicates = duplicates();

        MetaWebhooks.post(body).statusCode(200);
        MetaWebhooks.post(body).statusCode(200);

        assertEquals(1L, rows(before, wamid));
        assertEquals(duplicates + 1, duplicates());
        await().atMost(Duration.ofSeconds(15))
                .until(() -> TestDb.count("select count(*) from inbound_message where wamid = ?", wamid) == 1);
    }

    @Test
    void aPrettyPrintedResendIsOtherBytesStoredAgainButAppliedOnce() throws Exception {
        String wamid = freshWamid();
        ObjectNode payload = retargeted("inbound-text.json", freshWaId(), wamid);
        long before = MetaWebhooks.lastInboxId();

        MetaWebhooks.postApplied(payload);
        String pretty = MetaWebhooks.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(payload);
        MetaWebhooks.post(pretty).statusCode(200);

        assertEquals(2L, rows(before, wamid), "another digest: stored");
        await().atMost(Duration.ofSeconds(15)).until(() -> TestDb.count(
                "select count(*) from webhook_inbox where id > ? and state = 'applied' and body like ?", before,
                "%" + wamid + "%") == 2);
        assertEquals(1L, TestDb.count("select count(*) from inbound_message where wamid = ?", wamid),
                "the apply is idempotent");
        assertEquals(1L, TestDb.count("select count(*) from event_outbox where payload->>'wamid' = ?", wamid));
    }

    @Test
    void theDigestOutlivesTheBodyForSevenDaysThenTheBodyIsNewAgain() {
        String wamid = freshWamid();
        ObjectNode payload = retargeted("inbound-text.json", freshWaId(), wamid);
        String body = payload.toString();
        long before = MetaWebhooks.lastInboxId();
        MetaWebhooks.postApplied(payload);

        // the body is past its retention (as with gateway.webhook.retention=P1D) and purged; its digest stays
        TestDb.update("update webhook_inbox set received_at = received_at - interval '31 days' "
                + "where id > ? and body like ?", before, "%" + wamid + "%");
        retention.purge().await().atMost(Duration.ofSeconds(30));
        assertEquals(0L, rows(before, wamid));
        MetaWebhooks.post(body).statusCode(200);
        assertEquals(0L, rows(before, wamid), "a replay after the body is gone is still refused");

        // after Meta's 7 days of retries the digest goes too: the same bytes are a webhook like any other
        TestClockProducer.CLOCK.advance(Duration.ofDays(7).plusMinutes(1));
        retention.purge().await().atMost(Duration.ofSeconds(30));
        assertTrue(!MetaWebhooks.seen(body));
        MetaWebhooks.post(body).statusCode(200);
        assertEquals(1L, rows(before, wamid));
    }

    private static long rows(long before, String wamid) {
        return TestDb.count("select count(*) from webhook_inbox where id > ? and body like ?", before, "%" + wamid + "%");
    }

    private static double duplicates() {
        String metrics = given().when().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("wagateway_webhooks_received_total{outcome=\"duplicate\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }
}
