package wagateway.webhook;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.testsupport.TestClockProducer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Raw webhooks hold personal data (issue 16, point 15): applied and failed rows older than
 * {@code gateway.webhook.retention} (P30D in tests) are all gone after one run of the job, however many there
 * are; newer rows and rows still pending stay.
 */
@QuarkusTest
class WebhookRetentionTest {

    @Inject
    WebhookRetentionJob job;

    @Test
    void oneRunDeletesEveryAppliedAndFailedRowPastRetentionAndKeepsTheRest() {
        String marker = "retention-" + UUID.randomUUID();
        Instant now = TestClockProducer.CLOCK.instant();
        Timestamp old = Timestamp.from(now.minus(Duration.ofDays(31)));
        Timestamp recent = Timestamp.from(now.minus(Duration.ofDays(29)));
        Timestamp never = Timestamp.from(now.plus(Duration.ofDays(365)));
        // more than one chunk of old applied rows, old failed rows, and what must stay
        insert(WebhookRetentionJob.CHUNK + 1_200, "applied", old, marker + "-old", null);
        insert(300, "failed", old, marker + "-old", null);
        insert(3, "applied", recent, marker + "-recent", null);
        insert(2, "failed", recent, marker + "-recent", null);
        // pending (waiting out a back-off, so no drain applies it meanwhile): never dropped for its age
        insert(2, "pending", old, marker + "-pending", never);

        int deleted = job.purge().await().atMost(Duration.ofSeconds(60));

        assertTrue(deleted >= WebhookRetentionJob.CHUNK + 1_500, "deleted " + deleted);
        assertEquals(0L, count(marker + "-old"));
        assertEquals(5L, count(marker + "-recent"));
        assertEquals(2L, count(marker + "-pending"));
        TestDb.update("delete from webhook_inbox where body like ?", "%" + marker + "%");
    }

    private static void insert(int rows, String state, Timestamp receivedAt, String marker, Timestamp nextAttemptAt) {
        TestDb.update("insert into webhook_inbox (received_at, body, state, attempts, applied_at, next_attempt_at) "
                + "select ?::timestamptz, json_build_object('test', ?::text, 'n', n)::text, ?::text, 1, "
                + "case when ?::text = 'applied' then ?::timestamptz end, ?::timestamptz from generate_series(1, ?::int) n",
                receivedAt, marker, state, state, receivedAt, nextAttemptAt, rows);
    }

    private static long count(String marker) {
        return TestDb.count("select count(*) from webhook_inbox where body like ?", "%\"" + marker + "\"%");
    }
}
