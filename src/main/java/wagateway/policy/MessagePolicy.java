package wagateway.policy;

import java.time.Duration;
import java.time.Instant;

import wagateway.policy.PolicyDecision.Reject;
import wagateway.policy.PolicyDecision.Send;

/**
 * Spec §3 rules 1 (consent) and 2 (customer-service window), plus expiry, as one pure decision.
 * Throughput, pair rate and the messaging limit need shared state and live in the throttle package.
 *
 * <p>
 * Definitions (spec §3): the window is open while the customer's last message is less than 24 h
 * (72 h for a free entry point) old — here {@code windowOpenUntil}, minus a safety margin so a message
 * that waits a little in the queue does not reach Meta after the window closed. A message to an open
 * window is a <em>reply</em>; otherwise it is <em>business-initiated</em>.
 */
public final class MessagePolicy {

    public static final String MARKETING = "marketing";
    private final Duration windowSafetyMargin;

    public MessagePolicy(Duration windowSafetyMargin) {
        this.windowSafetyMargin = windowSafetyMargin;
    }

    public PolicyDecision decide(OutboundFacts message, Recipient recipient, Instant now) {
        if (message.expiresAt() != null && !now.isBefore(message.expiresAt())) {
            return new Reject(PolicyDecision.Reasons.EXPIRED);
        }
        boolean windowOpen = windowOpen(recipient, now);

        // Rule 2: free-form only inside the window; outside it the fallback template, if any, goes instead.
        boolean useFallback = false;
        String category = message.category();
        if (!message.template() && !windowOpen) {
            if (!message.hasFallback()) {
                return new Reject(PolicyDecision.Reasons.WINDOW_CLOSED);
            }
            useFallback = true;
            category = message.fallbackCategory();
        }

        // Rule 1: consent, applied to what actually goes.
        boolean marketing = MARKETING.equals(category);
        if (marketing && recipient.marketingOptedOut()) {
            // a marketing opt-out blocks marketing templates, replies included
            return new Reject(PolicyDecision.Reasons.MARKETING_OPTED_OUT);
        }
        if (recipient.optedOut() && !(windowOpen && !marketing)) {
            // an opt-out blocks everything but non-marketing replies
            return new Reject(PolicyDecision.Reasons.OPTED_OUT);
        }
        if (!windowOpen && !recipient.optedInFor(category)) {
            // business-initiated messages need an opt-in on record; replies do not (the customer wrote first)
            return new Reject(PolicyDecision.Reasons.CONSENT_MISSING);
        }
        return new Send(!windowOpen, useFallback, category);
    }

    public boolean windowOpen(Recipient recipient, Instant now) {
        return recipient.windowOpenUntil() != null && now.plus(windowSafetyMargin).isBefore(recipient.windowOpenUntil());
    }
}
