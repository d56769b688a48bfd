package wagateway.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Meta's two send limits, measured on the injected clock: at most {@code messagesPerSecond} accepted
 * messages per business number in any sliding second (130429), and at least {@code pairInterval} between
 * two messages from one number to one recipient (131056). Only accepted messages count. Thread-safe.
 */
final class SandboxRateLimiter {

    /** The answer for one send. */
    enum Verdict {
        ALLOWED,
        THROUGHPUT_EXCEEDED,
        PAIR_RATE_EXCEEDED
    }

    private static final Duration SECOND = Duration.ofSeconds(1);

    private final int messagesPerSecond;
    private final Duration pairInterval;
    private final Map<String, Deque<Instant>> recentByNumber = new HashMap<>();
    private final Map<String, Instant> lastByPair = new HashMap<>();

    SandboxRateLimiter(int messagesPerSecond, Duration pairInterval) {
        this.messagesPerSecond = messagesPerSecond;
        this.pairInterval = pairInterval;
    }

    /**
     * A read receipt: it takes a place in the number's second like a message (the simulator is strict on
     * purpose, so a client that forgets to throttle them sees 130429), but no pair spacing.
     */
    synchronized Verdict tryAcquireThroughput(String phoneNumberId, Instant now) {
        Deque<Instant> recent = recent(phoneNumberId, now);
        if (recent.size() >= messagesPerSecond) {
            return Verdict.THROUGHPUT_EXCEEDED;
        }
        recent.addLast(now);
        return Verdict.ALLOWED;
    }

    private Deque<Instant> recent(String phoneNumberId, Instant now) {
        Deque<Instant> recent = recentByNumber.computeIfAbsent(phoneNumberId, k -> new ArrayDeque<>());
        while (!recent.isEmpty() && !recent.peekFirst().isAfter(now.minus(SECOND))) {
            recent.pollFirst();
        }
        return recent;
    }

    /** Checks both limits and, when the send is allowed, counts it. */
    synchronized Verdict tryAcquire(String phoneNumberId, String waId, Instant now) {
        Deque<Instant> recent = recent(phoneNumberId, now);
        if (recent.size() >= messagesPerSecond) {
            return Verdict.THROUGHPUT_EXCEEDED;
        }
        String pair = phoneNumberId + "/" + waId;
        Instant last = lastByPair.get(pair);
        if (last != null && now.isBefore(last.plus(pairInterval))) {
            return Verdict.PAIR_RATE_EXCEEDED;
        }
        recent.addLast(now);
        lastByPair.put(pair, now);
        return Verdict.ALLOWED;
    }

    synchronized void clear() {
        recentByNumber.clear();
        lastByPair.clear();
    }
}
