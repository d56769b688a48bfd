package wagateway.event;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.testsupport.TestDb;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbox keeps {@code gateway.events.retention} (7 days) of finished events and every pending one. */
@QuarkusTest
class EventRetentionTest {

    @Inject
    EventRetentionJob job;

    @Test
    void purgesFinishedEventsPastRetentionAndKeepsPendingOnes() {
        String phone = TestDb.freshPhone();
        long oldDelivered = insert(phone, "delivered", "8 days");
        long oldDead = insert(phone, "dead", "8 days");
        long oldPending = insert(phone, "pending", "8 days");
        long recentDelivered = insert(phone, "delivered", "6 days");

        int purged = job.purge().await().atMost(Duration.ofSeconds(10));

        assertThat(purged).isGreaterThanOrEqualTo(2);
        assertThat(TestDb.count("select count(*) from event_outbox where id = any(?::bigint[])",
                "{" + oldDelivered + "," + oldDead + "}")).isZero();
        assertThat(TestDb.count("select count(*) from event_outbox where id = any(?::bigint[])",
                "{" + oldPending + "," + recentDelivered + "}")).isEqualTo(2);
    }

    @Test
    void eventsGetTheirStreamPositionWithoutAnySubscriber() {
        // no GET /v1/events open in this test: the sequencer's own timer stamps new events, so they never
        // pile up for a first subscriber to wait on
        long id = insert(TestDb.freshPhone(), "none", "0 seconds");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> TestDb.count(
                "select count(*) from event_outbox where id = ? and position is not null", id) == 1);
    }

    private static long insert(String phone, String state, String age) {
        return ((Number) TestDb.query("insert into event_outbox (type, contact_phone, payload, state, next_attempt_at, "
                + "created_at) values ('message.received', ?, '{}'::jsonb, ?, now(), now() - ?::interval) returning id",
                phone, state, age).get(0).get("id")).longValue();
    }
}
