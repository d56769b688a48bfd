package wagateway.policy;

/**
 * What the rules say about one message at one moment. One decision type for every policy, so the
 * dispatcher and the accept path act on rules the same way.
 */
public sealed interface PolicyDecision {

    /** Send it. {@code useFallback}: the fallback template goes instead of the free-form content. */
    record Send(boolean businessInitiated, boolean useFallback, String category) implements PolicyDecision {
    }

    /** Never: the message ends {@code rejected} (or {@code expired}) with this reason. */
    record Reject(String reason) implements PolicyDecision {

        public boolean expired() {
            return Reasons.EXPIRED.equals(reason);
        }
    }

    /** Reason codes, as they appear in the API and in metrics. */
    final class Reasons {
        public static final String EXPIRED = "expired";
        public static final String CONSENT_MISSING = "consent_missing";
        public static final String OPTED_OUT = "opted_out";
        public static final String MARKETING_OPTED_OUT = "marketing_opted_out";
        public static final String WINDOW_CLOSED = "window_closed";
        public static final String TIER_LIMIT_EXCEEDED = "tier_limit_exceeded";
        public static final String THROUGHPUT = "throughput";
        public static final String PAIR_RATE = "pair_rate";
        public static final String SENDER_PAUSED = "sender_paused";

        private Reasons() {
        }
    }
}
