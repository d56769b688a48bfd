package wagateway.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Rule 4 as a pure budget: one message per recipient per interval, asked message by message in send order. */
class PairPacingGateTest {

    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    static final Duration INTERVAL = Duration.ofSeconds(6);

    @Test
    void aRecipientNeverPacedGoesAndIsPacedForTheRestOfTheBatch() {
        var gate = new PairPacing.Gate(Map.of(), INTERVAL, NOW);
        assertThat(gate.admit("+1")).isNull();
        assertThat(gate.admit("+1")).isEqualTo(NOW.plus(INTERVAL));
        assertThat(gate.admit("+2")).isNull();
        assertThat(gate.pacedUntil()).isEqualTo(NOW.plus(INTERVAL));
    }

    @Test
    void aRecipientStillPacedWaitsUntilItsTimeAndBlocksNobodyElse() {
        Instant later = NOW.plusSeconds(4);
        var gate = new PairPacing.Gate(Map.of("+1", later, "+2", NOW.minusSeconds(1), "+3", NOW), INTERVAL, NOW);
        assertThat(gate.admit("+1")).isEqualTo(later);
        assertThat(gate.admit("+2")).isNull();
        // the exact instant counts as free: the interval has passed
        assertThat(gate.admit("+3")).isNull();
    }

    @Test
    void aZeroIntervalIsOff() {
        assertThat(new PairPacing.Gate(Map.of(), Duration.ZERO, NOW).off()).isTrue();
        assertThat(new PairPacing.Gate(Map.of(), INTERVAL, NOW).off()).isFalse();
    }
}
