package wagateway.event;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-destination room and back-off, on a clock the test moves. */
class CallbackDestinationsTest {

    private static final String A = "https://a.example.com";
    private static final String B = "https://b.example.com:8443";

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final CallbackDestinations destinations = new CallbackDestinations(4, Duration.ofSeconds(1),
            Duration.ofSeconds(8), nanos::get);

    @Test
    void aDestinationTakesUpToItsConcurrencyAndOnlyBusyOnesAreListed() {
        assertThat(destinations.limits().destinations()).isEmpty();
        for (int i = 0; i < 4; i++) {
            destinations.started(A);
        }
        destinations.started(B);
        assertThat(destinations.free(A)).isZero();
        assertThat(destinations.free(B)).isEqualTo(3);
        CallbackDestinations.Limits limits = destinations.limits();
        assertThat(limits.destinations()).containsExactlyInAnyOrder(A, B);
        assertThat(limits.free().get(limits.destinations().indexOf(A))).isZero();
        assertThat(limits.free().get(limits.destinations().indexOf(B))).isEqualTo(3);

        destinations.finished(A, true);
        destinations.finished(B, true);
        assertThat(destinations.free(A)).isEqualTo(1);
        assertThat(destinations.limits().destinations()).containsExactly(A); // B is idle and healthy: forgotten
    }

    @Test
    void threeFailuresInARowPauseTheDestinationThenOneProbeDecides() {
        for (int i = 0; i < 4; i++) {
            destinations.started(A);
        }
        assertThat(destinations.finished(A, false)).isEqualTo(CallbackDestinations.Change.NONE);
        assertThat(destinations.finished(A, false)).isEqualTo(CallbackDestinations.Change.NONE);
        assertThat(destinations.finished(A, false)).isEqualTo(CallbackDestinations.Change.PAUSED);
        // a failure of a delivery already in flight does not lengthen the pause
        Duration pause = destinations.pausedFor(A);
        assertThat(destinations.finished(A, false)).isEqualTo(CallbackDestinations.Change.NONE);
        assertThat(destinations.pausedFor(A)).isEqualTo(pause);
        assertThat(pause).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(destinations.free(A)).isZero();
        assertThat(destinations.paused()).isEqualTo(1);

        nanos.addAndGet(pause.toNanos());
        assertThat(destinations.free(A)).as("one probe").isEqualTo(1);
        destinations.started(A);
        assertThat(destinations.free(A)).isZero();
        assertThat(destinations.finished(A, false)).isEqualTo(CallbackDestinations.Change.PAUSED_AGAIN);
        assertThat(destinations.pausedFor(A)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));

        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        destinations.started(A);
        assertThat(destinations.finished(A, true)).isEqualTo(CallbackDestinations.Change.RECOVERED);
        assertThat(destinations.free(A)).isEqualTo(4);
        assertThat(destinations.paused()).isZero();
    }

    @Test
    void aSuccessBetweenFailuresKeepsTheDestinationOpen() {
        for (int i = 0; i < 3; i++) {
            destinations.started(A);
        }
        destinations.finished(A, false);
        destinations.finished(A, false);
        destinations.finished(A, true);
        destinations.started(A);
        assertThat(destinations.finished(A, false)).isEqualTo(CallbackDestinations.Change.NONE);
        assertThat(destinations.free(A)).isEqualTo(4);
    }

    @Test
    void aFailingDestinationWithoutAttemptsIsForgottenAfterAWhile() {
        for (int i = 0; i < 3; i++) {
            destinations.started(A);
            destinations.finished(A, false);
        }
        assertThat(destinations.limits().destinations()).containsExactly(A);
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        assertThat(destinations.limits().destinations()).isEmpty();
        assertThat(destinations.free(A)).isEqualTo(4);
    }

    @Test
    void logLinesNeverShowUserInformation() {
        assertThat(CallbackDispatcher.display("https://user:secret@crm.example.com:8443"))
                .isEqualTo("https://crm.example.com:8443");
        assertThat(CallbackDispatcher.display("http://127.0.0.1:38001")).isEqualTo("http://127.0.0.1:38001");
    }
}
