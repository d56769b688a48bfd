package wagateway.receipt;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import wagateway.cloudapi.CloudApiException;
import wagateway.cloudapi.RetryPolicy;
import wagateway.cloudapi.SendOutcome;
import wagateway.inbound.InboundMessages.DueReceipt;
import wagateway.receipt.ReadReceipts.Result;
import wagateway.support.Backoff;

import static org.assertj.core.api.Assertions.assertThat;

/** The send path's error rules, applied to read receipts; and the body they go with. */
class ReadReceiptsTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    final RetryPolicy retries = new RetryPolicy(new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5)), 3,
            Duration.ofSeconds(5), Duration.ofMinutes(5));

    static DueReceipt receipt(int attempts, boolean typing, Instant requestedAt) {
        return new DueReceipt(UUID.randomUUID(), "wamid.IN", "+5511987654321", "main", typing, attempts, requestedAt);
    }

    static SendOutcome.Refused refused(int http, int code) {
        return new SendOutcome.Refused(http, code, "title", "details");
    }

    Result answered(DueReceipt receipt, SendOutcome answer) {
        return ReadReceipts.answered(retries, receipt, answer, NOW, new Random(1));
    }

    Result failed(DueReceipt receipt, Throwable failure) {
        return ReadReceipts.failed(retries, receipt, failure, NOW, new Random(1));
    }

    @Test
    void acceptedIsSent() {
        assertThat(answered(receipt(0, false, NOW), new SendOutcome.Accepted(null, null)).row().state())
                .isEqualTo("sent");
    }

    @Test
    void throttlingAndServiceErrorsRetryWithBackoffUntilAttemptsRunOut() {
        var retry = answered(receipt(0, false, NOW), refused(429, 130429)).row();
        assertThat(retry.state()).isEqualTo("pending");
        assertThat(retry.countAttempt()).isTrue();
        assertThat(retry.nextAttemptAt()).isAfter(NOW);
        assertThat(retry.errorCode()).isEqualTo(130429);
        assertThat(failed(receipt(1, false, NOW), new CloudApiException(503, 2, "unavailable", null)).row().state())
                .isEqualTo("pending");
        var timeout = failed(receipt(1, false, NOW), new TimeoutException()).row();
        assertThat(timeout.state()).isEqualTo("pending");
        assertThat(timeout.errorTitle()).isEqualTo("Timeout");
        // the third attempt of three fails for good, with the last code
        var last = answered(receipt(2, false, NOW), refused(500, 131000)).row();
        assertThat(last.state()).isEqualTo("failed");
        assertThat(last.errorCode()).isEqualTo(131000);
    }

    @Test
    void anOpenBreakerCostsNoAttempt() {
        var retry = failed(receipt(2, false, NOW), new CircuitBreakerOpenException()).row();
        assertThat(retry.state()).isEqualTo("pending");
        assertThat(retry.countAttempt()).isFalse();
        assertThat(retry.nextAttemptAt()).isEqualTo(NOW.plusSeconds(5));
    }

    @Test
    void aRefusedTokenWaitsBehindThePauseUncountedAndPausesTheSender() {
        Result result = answered(receipt(0, false, NOW), refused(401, 190));
        assertThat(result.row().state()).isEqualTo("pending");
        assertThat(result.row().countAttempt()).isFalse();
        assertThat(result.row().nextAttemptAt()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
        assertThat(result.authRefused()).isTrue();
        assertThat(answered(receipt(0, false, NOW), refused(429, 130429)).authRefused()).isFalse();
    }

    @Test
    void aBadParameterFailsAtOnce() {
        var failed = answered(receipt(0, false, NOW), refused(400, 100)).row();
        assertThat(failed.state()).isEqualTo("failed");
        assertThat(failed.errorCode()).isEqualTo(100);
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
