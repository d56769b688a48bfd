package wagateway.event;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CallbackBackoffTest {

    private final CallbackBackoff backoff = new CallbackBackoff(Duration.ofSeconds(5), Duration.ofMinutes(15));

    @Test
    void doublesPerAttemptWithinHalfAndAllOfIt() {
        // random is in [0, 1): 1.0 shows the upper bound
        assertEquals(Duration.ofMillis(2500), backoff.delay(1, 0.0));
        assertEquals(Duration.ofSeconds(5), backoff.delay(1, 1.0));
        assertEquals(Duration.ofSeconds(5), backoff.delay(2, 0.0));
        assertEquals(Duration.ofSeconds(10), backoff.delay(2, 1.0));
        assertEquals(Duration.ofSeconds(20), backoff.delay(3, 1.0));
        assertEquals(Duration.ofMillis(3750), backoff.delay(1, 0.5));
    }

    @Test
    void isCappedAtTheMaximum() {
        assertEquals(Duration.ofMinutes(15), backoff.delay(12, 1.0));
        assertEquals(Duration.ofMinutes(15), backoff.delay(1_000, 1.0));
        assertEquals(Duration.ofMillis(450_000), backoff.delay(1_000, 0.0));
    }
}
