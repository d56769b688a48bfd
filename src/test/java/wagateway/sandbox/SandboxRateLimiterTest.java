package wagateway.sandbox;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import wagateway.sandbox.SandboxRateLimiter.Verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SandboxRateLimiterTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.900Z");

    @Test
    void countsASlidingSecondNotCalendarSeconds() {
        SandboxRateLimiter limiter = new SandboxRateLimiter(2, Duration.ofSeconds(6));
        assertEquals(Verdict.ALLOWED, limiter.tryAcquire("n", "a", T0));
        assertEquals(Verdict.ALLOWED, limiter.tryAcquire("n", "b", T0.plusMillis(200)));
        // a new calendar second has begun, but the last second still holds two messages
        assertEquals(Verdict.THROUGHPUT_EXCEEDED, limiter.tryAcquire("n", "c", T0.plusMillis(300)));
        assertEquals(Verdict.ALLOWED, limiter.tryAcquire("n", "c", T0.plusMillis(1_000)));
    }

    @Test
    void spacesMessagesToOneRecipientOnly() {
        SandboxRateLimiter limiter = new SandboxRateLimiter(80, Duration.ofSeconds(6));
        assertEquals(Verdict.ALLOWED, limiter.tryAcquire("n", "a", T0));
        assertEquals(Verdict.PAIR_RATE_EXCEEDED, limiter.tryAcquire("n", "a", T0.plusMillis(5_999)));
        assertEquals(Verdict.ALLOWED, limiter.tryAcquire("other-number", "a", T0.plusMillis(1)));
        assertEquals(Verdict.ALLOWED, limiter.tryAcquire("n", "a", T0.plusSeconds(6)));
    }

    @Test
    void refusedSendsAreNotCounted() {
        SandboxRateLimiter limiter = new SandboxRateLimiter(1, Duration.ofSeconds(6));
        assertEquals(Verdict.ALLOWED, limiter.tryAcquire("n", "a", T0));
        assertEquals(Verdict.THROUGHPUT_EXCEEDED, limiter.tryAcquire("n", "b", T0.plusMillis(10)));
        // b was never sent, so no pair spacing applies to it a second later
        assertEquals(Verdict.ALLOWED, limiter.tryAcquire("n", "b", T0.plusMillis(1_010)));
    }
}
