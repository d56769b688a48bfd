package wagateway.event;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import wagateway.webhook.TestDb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static wagateway.webhook.MetaWebhooks.freshWaId;
import static wagateway.webhook.MetaWebhooks.freshWamid;
import static wagateway.webhook.MetaWebhooks.postApplied;
import static wagateway.webhook.MetaWebhooks.status;

/**
 * No callback goes out unsigned (issue 16, point 8): production does not start without the secret, and where a
 * gateway runs without one anyway (dev, tests) each attempt fails with the reason instead of sending.
 */
@QuarkusTest
@TestProfile(UnsignedCallbacksTest.NoSecret.class)
class UnsignedCallbacksTest {

    public static class NoSecret implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.callbacks.secret", "");
        }
    }

    @Test
    void withoutASecretNothingIsSentAndTheAttemptSaysWhy() {
        String sink = "unsigned-" + UUID.randomUUID();
        String waId = freshWaId();
        String wamid = freshWamid();
        UUID id = TestDb.insertOutbound("+" + waId, wamid, "sent", CallbackSink.url(sink), "{}");
        postApplied(status(waId, wamid, "delivered", Instant.now()));

        await().atMost(Duration.ofSeconds(20)).until(() -> TestDb.count(
                "select count(*) from event_outbox where message_id = ? and attempts >= 1", id) >= 1);
        assertThat((String) TestDb.value("select last_error from event_outbox where message_id = ? order by id limit 1",
                id)).contains("gateway.callbacks.secret is not set");
        assertThat(CallbackSink.received(sink)).as("nothing went out unsigned").isEmpty();
    }
}
