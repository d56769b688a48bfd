package wagateway.event;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static wagateway.event.CallbackDestinations.Admission.RELEASE;
import static wagateway.event.CallbackDestinations.Admission.START;
import static wagateway.event.CallbackDestinations.Admission.WAIT;

/**
 * Per-destination slots, waiting events and back-off, on a clock the test moves. Events are numbers; from 1,000
 * up, an event is also the time it must start by.
 */
class CallbackDestinationsTest {

    private static final String A = "https://a.example.com";
    private static final String B = "https://b.example.com:8443";
    private static final long LATER = Long.MAX_VALUE / 2;

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final CallbackDestinations<Long> destinations = new CallbackDestinations<>(2, Duration.ofSeconds(1),
            Duration.ofSeconds(8), nanos::get, event -> event < 1_000 ? LATER : event);

    @Test
    void aDestinationRunsUpToItsConcurrencyWithAsManyWaitingAndOnlyBusyOnesAreListed() {
        assertThat(destinations.window()).isEqualTo(4);
        assertThat(destinations.limits().destinations()).isEmpty();
        assertThat(List.of(admit(A, 1), admit(A, 2), admit(A, 3), admit(A, 4), admit(A, 5)))
                .containsExactly(START, START, WAIT, WAIT, RELEASE);
        assertThat(admit(B, 1)).isEqualTo(START);
        assertThat(destinations.room(A)).isZero();
        assertThat(destinations.room(B)).isEqualTo(3);
        CallbackDestinations.Limits limits = destinations.limits();
        assertThat(limits.destinations()).containsExactlyInAnyOrder(A, B);
        assertThat(limits.room().get(limits.destinations().indexOf(A))).isZero();
        assertThat(limits.room().get(limits.destinations().indexOf(B))).isEqualTo(3);

        // an ended delivery starts the next waiting event at once
        assertThat(destinations.finished(A, true).start()).containsExactly(3L);
        assertThat(destinations.finished(B, true).start()).isEmpty();
        assertThat(destinations.room(A)).isEqualTo(1);
        assertThat(destinations.limits().destinations()).containsExactly(A); // B is idle and healthy: forgotten
    }

    @Test
    void anEventThatWaitedTooLongGoesBackUnattempted() {
        admit(A, 1);
        admit(A, 2);
        admit(A, 5_000); // must start by t = 5,000
        nanos.set(6_000);
        CallbackDestinations.Ended<Long> ended = destinations.finished(A, true);
        assertThat(ended.start()).isEmpty();
        assertThat(ended.release()).containsExactly(5_000L);
    }

    @Test
    void threeFailuresInARowPauseTheDestinationThenOneProbeDecides() {
        admit(A, 1);
        admit(A, 2);
        admit(A, 3);
        admit(A, 4);
        assertThat(destinations.finished(A, false).change()).isEqualTo(CallbackDestinations.Change.NONE);
        assertThat(destinations.finished(A, false).change()).isEqualTo(CallbackDestinations.Change.NONE);
        CallbackDestinations.Ended<Long> third = destinations.finished(A, false);
        assertThat(third.change()).isEqualTo(CallbackDestinations.Change.PAUSED);
        assertThat(third.start()).isEmpty();
        // the two had started when the first two ended; now one is in flight: nothing waits, nothing more starts
        Duration pause = destinations.pausedFor(A);
        assertThat(pause).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(admit(A, 5)).as("paused").isEqualTo(RELEASE);
        // a failure of a delivery already in flight does not lengthen the pause
        assertThat(destinations.finished(A, false).change()).isEqualTo(CallbackDestinations.Change.NONE);
        assertThat(destinations.pausedFor(A)).isEqualTo(pause);
        assertThat(destinations.room(A)).isZero();
        assertThat(destinations.paused()).isEqualTo(1);

        nanos.addAndGet(pause.toNanos());
        assertThat(destinations.room(A)).as("one probe").isEqualTo(1);
        assertThat(admit(A, 6)).isEqualTo(START);
        assertThat(admit(A, 7)).as("nothing waits behind a probe").isEqualTo(RELEASE);
        assertThat(destinations.finished(A, false).change()).isEqualTo(CallbackDestinations.Change.PAUSED_AGAIN);
        assertThat(destinations.pausedFor(A)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));

        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        admit(A, 8);
        assertThat(destinations.finished(A, true).change()).isEqualTo(CallbackDestinations.Change.RECOVERED);
        assertThat(destinations.room(A)).isEqualTo(4);
        assertThat(destinations.paused()).isZero();
    }

    @Test
    void waitingEventsGoBackWhenTheDestinationIsPaused() {
        admit(A, 1);
        admit(A, 2);
        admit(A, 3);
        admit(A, 4);
        destinations.finished(A, false); // starts 3
        destinations.finished(A, false); // starts 4
        admit(A, 5);
        CallbackDestinations.Ended<Long> paused = destinations.finished(A, false);
        assertThat(paused.change()).isEqualTo(CallbackDestinations.Change.PAUSED);
        assertThat(paused.release()).containsExactly(5L);
    }

    @Test
    void aSuccessBetweenFailuresKeepsTheDestinationOpen() {
        admit(A, 1);
        admit(A, 2);
        destinations.finished(A, false);
        destinations.finished(A, false);
        admit(A, 3);
        destinations.finished(A, true);
        admit(A, 4);
        assertThat(destinations.finished(A, false).change()).isEqualTo(CallbackDestinations.Change.NONE);
        assertThat(destinations.room(A)).isEqualTo(4);
    }

    @Test
    void aFailingDestinationWithoutAttemptsIsForgottenAfterAWhile() {
        for (int i = 0; i < 3; i++) {
            admit(A, i);
            destinations.finished(A, false);
        }
        assertThat(destinations.limits().destinations()).containsExactly(A);
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        assertThat(destinations.limits().destinations()).isEmpty();
        assertThat(destinations.room(A)).isEqualTo(4);
    }

    @Test
    void logLinesNeverShowUserInformation() {
        assertThat(CallbackDispatcher.display("https://user:secret@crm.example.com:8443"))
                .isEqualTo("https://crm.example.com:8443");
        assertThat(CallbackDispatcher.display("http://127.0.0.1:38001")).isEqualTo("http://127.0.0.1:38001");
    }

    private CallbackDestinations.Admission admit(String destination, long event) {
        return destinations.admit(destination, event);
    }
}
