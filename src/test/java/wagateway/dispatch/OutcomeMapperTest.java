package wagateway.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;
import wagateway.cloudapi.CloudApiException;
import wagateway.cloudapi.RetryPolicy;
import wagateway.cloudapi.SendOutcome;
import wagateway.message.ClaimedMessage;
import wagateway.message.Outcome;
import wagateway.support.Backoff;

import static org.assertj.core.api.Assertions.assertThat;

class OutcomeMapperTest {

    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    final OutcomeMapper mapper = new OutcomeMapper(new RetryPolicy(new Backoff(Duration.ofSeconds(1),
            Duration.ofMinutes(5)), 5, Duration.ofSeconds(5), Duration.ofMinutes(5)), Duration.ofSeconds(6),
            Duration.ofSeconds(60));

    static ClaimedMessage message(int attempts, Instant expiresAt, JsonObject fallback) {
        return new ClaimedMessage(UUID.randomUUID(), "main", "+5511987654321", "text", "service", 1, NOW,
                new JsonObject().put("type", "text"), null, fallback, null, null, expiresAt, attempts, false, NOW);
    }

    static SendOutcome.Refused refused(int code) {
        return new SendOutcome.Refused(400, code, "title", "details");
    }

    @Test
    void acceptedIsSent() {
        var o = mapper.answered(message(0, null, null), false, new SendOutcome.Accepted("wamid.X", "accepted"), NOW,
                new Random(1));
        assertThat(o).isInstanceOf(Outcome.Sent.class);
        assertThat(((Outcome.Sent) o).wamid()).isEqualTo("wamid.X");
    }

    @Test
    void throttlingIsRetriedWithBackoff() {
        var o = (Outcome.Retry) mapper.answered(message(0, null, null), false, refused(130429), NOW, new Random(1));
        assertThat(o.countAttempt()).isTrue();
        assertThat(o.at()).isAfter(NOW);
        assertThat(o.code()).isEqualTo(130429);
    }

    @Test
    void pairRateWaitsAtLeastThePairInterval() {
        var o = (Outcome.Retry) mapper.answered(message(0, null, null), false, refused(131056), NOW, new Random(1));
        assertThat(Duration.between(NOW, o.at())).isGreaterThanOrEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void permanentErrorsFailAtOnce() {
        var o = (Outcome.Failed) mapper.answered(message(0, null, null), false, refused(132001), NOW, new Random(1));
        assertThat(o.code()).isEqualTo(132001);
        assertThat(o.fallbackSuggested()).isFalse();
    }

    @Test
    void undeliverableSuggestsAnotherChannel() {
        var o = (Outcome.Failed) mapper.answered(message(0, null, null), false, refused(131026), NOW, new Random(1));
        assertThat(o.fallbackSuggested()).isTrue();
    }

    @Test
    void windowClosedRetriesWithTheFallbackOrFails() {
        var withFallback = message(0, null, new JsonObject().put("type", "template"));
        assertThat(mapper.answered(withFallback, false, refused(131047), NOW, new Random(1))).isInstanceOf(Outcome.Retry.class);
        assertThat(mapper.answered(withFallback, true, refused(131047), NOW, new Random(1))).isInstanceOf(Outcome.Failed.class);
        var without = (Outcome.Failed) mapper.answered(message(0, null, null), false, refused(131047), NOW, new Random(1));
        assertThat(without.fallbackSuggested()).isTrue();
    }

    @Test
    void badTokenKeepsTheMessageWithoutSpendingAnAttempt() {
        var o = (Outcome.Retry) mapper.answered(message(0, null, null), false,
                new SendOutcome.Refused(401, 190, "expired", null), NOW, new Random(1));
        assertThat(o.countAttempt()).isFalse();
        assertThat(o.at()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    }

    @Test
    void anOpenBreakerSpendsNoAttempt() {
        var o = (Outcome.Retry) mapper.failed(message(0, null, null), new CircuitBreakerOpenException("open"), NOW,
                new Random(1));
        assertThat(o.countAttempt()).isFalse();
    }

    @Test
    void timeoutsAndServerErrorsAreTransient() {
        assertThat(mapper.failed(message(0, null, null), new TimeoutException(), NOW, new Random(1)))
                .isInstanceOf(Outcome.Retry.class);
        assertThat(
                mapper.failed(message(0, null, null), new CloudApiException(503, null, "HTTP 503", null), NOW, new Random(1)))
                .isInstanceOf(Outcome.Retry.class);
    }

    @Test
    void transientFailuresEndWhenAttemptsRunOutOrExpiryComes() {
        assertThat(mapper.answered(message(4, null, null), false, refused(131000), NOW, new Random(1)))
                .isInstanceOf(Outcome.Failed.class);
        var expiring = (Outcome.Rejected) mapper.answered(message(3, NOW.plusMillis(100), null), false, refused(131000), NOW,
                new Random(1));
        assertThat(expiring.expired()).isTrue();
    }
}
