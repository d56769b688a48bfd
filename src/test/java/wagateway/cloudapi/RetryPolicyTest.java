package wagateway.cloudapi;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeoutException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;

import wagateway.cloudapi.ErrorClassifier.Disposition;
import wagateway.cloudapi.RetryPolicy.Verdict;
import wagateway.support.Backoff;

import static org.assertj.core.api.Assertions.assertThat;

/** The one mapping of a failed Cloud API call to "again at", or "stop" — shared by messages and read receipts. */
class RetryPolicyTest {

    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    final RetryPolicy policy = new RetryPolicy(new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5)), 10,
            Duration.ofSeconds(5), Duration.ofMinutes(5));

    static SendOutcome.Refused refused(int http, int code) {
        return new SendOutcome.Refused(http, code, "title", "details");
    }

    @Test
    void transientAnswersRetryWithBackoffAndCountTheAttempt() {
        var retry = (Verdict.Retry) policy.refused(refused(429, 130429), 0, null, Duration.ZERO, NOW, new Random(1));
        assertThat(retry.countAttempt()).isTrue();
        assertThat(Duration.between(NOW, retry.at()).toMillis()).isBetween(500L, 1000L);
        assertThat(retry.code()).isEqualTo(130429);
    }

    @Test
    void stopsWhenAttemptsAreUsedUp() {
        assertThat(policy.refused(refused(500, 131000), 9, null, Duration.ZERO, NOW, new Random(1)))
                .isInstanceOfSatisfying(Verdict.Stop.class, stop -> {
                    assertThat(stop.disposition()).isEqualTo(Disposition.TRANSIENT);
                    assertThat(stop.code()).isEqualTo(131000);
                });
        assertThat(policy.failed(new TimeoutException(), 9, null, Duration.ZERO, NOW, new Random(1)))
                .isInstanceOf(Verdict.Stop.class);
    }

    @Test
    void neverPlansARetryAtOrAfterTheDeadline() {
        assertThat(policy.refused(refused(500, 131000), 5, NOW.plusSeconds(2), Duration.ZERO, NOW, new Random(1)))
                .isInstanceOf(Verdict.PastDeadline.class);
        assertThat(policy.refused(refused(500, 131000), 0, NOW.plusSeconds(60), Duration.ZERO, NOW, new Random(1)))
                .isInstanceOf(Verdict.Retry.class);
    }

    @Test
    void pairRateWaitsAtLeastItsFloor() {
        var retry = (Verdict.Retry) policy.refused(refused(400, 131056), 0, null, Duration.ofSeconds(6), NOW,
                new Random(1));
        assertThat(Duration.between(NOW, retry.at())).isGreaterThanOrEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void aRefusedTokenWaitsBehindThePauseUncounted() {
        var retry = (Verdict.Retry) policy.refused(refused(401, 190), 3, null, Duration.ZERO, NOW, new Random(1));
        assertThat(retry.countAttempt()).isFalse();
        assertThat(retry.at()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    }

    @Test
    void anOpenBreakerCostsNoAttempt() {
        var retry = (Verdict.Retry) policy.failed(new CircuitBreakerOpenException(), 9, null, Duration.ZERO, NOW,
                new Random(1));
        assertThat(retry.countAttempt()).isFalse();
        assertThat(retry.at()).isEqualTo(NOW.plusSeconds(5));
    }

    @Test
    void timeoutsConnectionErrorsAndServiceErrorsAreTransient() {
        assertThat(policy.failed(new TimeoutException(), 0, null, Duration.ZERO, NOW, new Random(1)))
                .isInstanceOfSatisfying(Verdict.Retry.class, r -> assertThat(r.title()).isEqualTo("Timeout"));
        assertThat(policy.failed(new IllegalStateException("reset"), 0, null, Duration.ZERO, NOW, new Random(1)))
                .isInstanceOfSatisfying(Verdict.Retry.class,
                        r -> assertThat(r.title()).isEqualTo("Connection lost: IllegalStateException"));
        assertThat(policy.failed(new java.net.ConnectException("refused"), 0, null, Duration.ZERO, NOW, new Random(1)))
                .isInstanceOfSatisfying(Verdict.Retry.class,
                        r -> assertThat(r.title()).isEqualTo("Connection error: ConnectException"));
        assertThat(
                policy.failed(new CloudApiException(503, 2, "unavailable", null), 0, null, Duration.ZERO, NOW, new Random(1)))
                .isInstanceOfSatisfying(Verdict.Retry.class, r -> assertThat(r.code()).isEqualTo(2));
    }

    @Test
    void aCallThatMayHaveArrivedWaitsForMetasWebhookBeforeItIsSentAgain() {
        Duration wait = Duration.ofSeconds(60);
        // a timeout, or a connection lost mid-call: Meta may have the message; its webhook will say so
        assertThat(policy.failed(new TimeoutException(), 0, null, wait, NOW, new Random(1)))
                .isInstanceOfSatisfying(Verdict.Retry.class, r -> assertThat(r.at()).isEqualTo(NOW.plus(wait)));
        assertThat(policy.failed(new IllegalStateException("Connection was closed"), 0, null, wait, NOW, new Random(1)))
                .isInstanceOfSatisfying(Verdict.Retry.class, r -> assertThat(r.at()).isEqualTo(NOW.plus(wait)));
        // a connection never made: the request did not leave, the usual back-off
        assertThat(policy.failed(new java.net.ConnectException("refused"), 0, null, wait, NOW, new Random(1)))
                .isInstanceOfSatisfying(Verdict.Retry.class,
                        r -> assertThat(r.at()).isBefore(NOW.plusSeconds(2)));
        // an expiry before the wait ends: the message expires rather than risk a late duplicate
        assertThat(policy.failed(new TimeoutException(), 0, NOW.plusSeconds(30), wait, NOW, new Random(1)))
                .isInstanceOf(Verdict.PastDeadline.class);
    }

    @Test
    void messageErrorsStopAtOnceWithTheirDisposition() {
        assertThat(policy.refused(refused(400, 131047), 0, null, Duration.ZERO, NOW, new Random(1)))
                .isInstanceOfSatisfying(Verdict.Stop.class,
                        s -> assertThat(s.disposition()).isEqualTo(Disposition.WINDOW_CLOSED));
        assertThat(policy.refused(refused(400, 100), 0, null, Duration.ZERO, NOW, new Random(1)))
                .isInstanceOfSatisfying(Verdict.Stop.class,
                        s -> assertThat(s.disposition()).isEqualTo(Disposition.PERMANENT));
    }
}
