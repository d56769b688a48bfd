package wagateway.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import wagateway.cloudapi.CloudApiException;
import wagateway.cloudapi.SendOutcome;
import wagateway.dispatch.ReadReceipts.Claimed;
import wagateway.dispatch.ReadReceipts.Result;

import static org.assertj.core.api.Assertions.assertThat;

/** The send path's error rules, applied to read receipts; and the body they go with. */
class ReadReceiptOutcomesTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    final ReadReceiptOutcomes outcomes = new ReadReceiptOutcomes(
            new RetrySchedule(Duration.ofSeconds(1), Duration.ofMinutes(5), 3),
            Duration.ofSeconds(5), Duration.ofMinutes(5));

    static Claimed receipt(int attempts, boolean typing, Instant requestedAt) {
        return new Claimed(UUID.randomUUID(), "wamid.IN", "+5511987654321", "main", typing, attempts, requestedAt);
    }

    static SendOutcome.Refused refused(int http, int code) {
        return new SendOutcome.Refused(http, code, "title", "details");
    }

    @Test
    void acceptedIsSent() {
        assertThat(outcomes.answered(receipt(0, false, NOW), new SendOutcome.Accepted(null, null), NOW, new Random(1)))
                .isInstanceOf(Result.Sent.class);
    }

    @Test
    void throttlingAndServiceErrorsRetryWithBackoffUntilAttemptsRunOut() {
        Result.Retry retry = (Result.Retry) outcomes.answered(receipt(0, false, NOW), refused(429, 130429), NOW, new Random(1));
        assertThat(retry.countAttempt()).isTrue();
        assertThat(retry.at()).isAfter(NOW);
        assertThat(retry.code()).isEqualTo(130429);
        assertThat(
                outcomes.failed(receipt(1, false, NOW), new CloudApiException(503, 2, "unavailable", null), NOW, new Random(1)))
                .isInstanceOf(Result.Retry.class);
        assertThat(outcomes.failed(receipt(1, false, NOW), new TimeoutException(), NOW, new Random(1)))
                .isInstanceOfSatisfying(Result.Retry.class, r -> assertThat(r.title()).isEqualTo("Timeout"));
        // the third attempt of three fails for good, with the last code
        assertThat(outcomes.answered(receipt(2, false, NOW), refused(500, 131000), NOW, new Random(1)))
                .isInstanceOfSatisfying(Result.Failed.class, f -> assertThat(f.code()).isEqualTo(131000));
    }

    @Test
    void anOpenBreakerCostsNoAttempt() {
        Result.Retry retry = (Result.Retry) outcomes.failed(receipt(2, false, NOW), new CircuitBreakerOpenException(), NOW,
                new Random(1));
        assertThat(retry.countAttempt()).isFalse();
        assertThat(retry.at()).isEqualTo(NOW.plusSeconds(5));
    }

    @Test
    void aRefusedTokenWaitsBehindThePauseUncountedAndPausesTheSender() {
        Result result = outcomes.answered(receipt(0, false, NOW), refused(401, 190), NOW, new Random(1));
        assertThat(result).isInstanceOfSatisfying(Result.Retry.class, r -> {
            assertThat(r.countAttempt()).isFalse();
            assertThat(r.at()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
        });
        assertThat(ReadReceipts.authRefused(result)).isTrue();
        assertThat(
                ReadReceipts.authRefused(outcomes.answered(receipt(0, false, NOW), refused(429, 130429), NOW, new Random(1))))
                .isFalse();
    }

    @Test
    void aBadParameterFailsAtOnce() {
        assertThat(outcomes.answered(receipt(0, false, NOW), refused(400, 100), NOW, new Random(1)))
                .isInstanceOfSatisfying(Result.Failed.class, f -> assertThat(f.code()).isEqualTo(100));
    }

    @Test
    void theBodyCarriesTheTypingIndicatorOnlyWhileItCanStillShow() {
        ObjectMapper mapper = new ObjectMapper();
        assertThat(ReadReceipts.body(mapper, receipt(0, true, NOW), NOW.plusSeconds(3)).toString())
                .isEqualTo("{\"messaging_product\":\"whatsapp\",\"status\":\"read\",\"message_id\":\"wamid.IN\","
                        + "\"typing_indicator\":{\"type\":\"text\"}}");
        assertThat(ReadReceipts.body(mapper, receipt(0, false, NOW), NOW).has("typing_indicator")).isFalse();
        // a retry past WhatsApp's 25 s: the plain receipt, no late typing bubble
        assertThat(ReadReceipts.body(mapper, receipt(3, true, NOW), NOW.plusSeconds(26)).has("typing_indicator")).isFalse();
    }
}
