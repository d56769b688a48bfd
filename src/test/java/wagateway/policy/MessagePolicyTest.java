package wagateway.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import wagateway.policy.PolicyDecision.Reject;
import wagateway.policy.PolicyDecision.Send;

import static org.assertj.core.api.Assertions.assertThat;

/** Spec §3 rules 1 and 2 and expiry, one test per clause, with a fixed clock. */
class MessagePolicyTest {

    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    final MessagePolicy policy = new MessagePolicy(Duration.ofMinutes(1));

    static Recipient recipient(String consent, boolean marketingOut, Instant windowUntil) {
        return new Recipient(consent, null, marketingOut, windowUntil);
    }

    static OutboundFacts freeForm() {
        return new OutboundFacts(false, "service", false, null, null);
    }

    static OutboundFacts template(String category) {
        return new OutboundFacts(true, category, false, null, null);
    }

    static final Instant OPEN = NOW.plus(Duration.ofHours(3));
    static final Instant CLOSED = NOW.minus(Duration.ofHours(1));

    @Test
    void freeFormInsideTheWindowIsAReplyAndNeedsNoOptIn() {
        assertThat(policy.decide(freeForm(), recipient("none", false, OPEN), NOW)).isEqualTo(new Send(false, false, "service"));
    }

    @Test
    void freeFormOutsideTheWindowIsRejectedWithoutFallback() {
        assertThat(policy.decide(freeForm(), recipient("opted_in", false, CLOSED), NOW)).isEqualTo(new Reject("window_closed"));
        assertThat(policy.decide(freeForm(), Recipient.UNKNOWN, NOW)).isEqualTo(new Reject("window_closed"));
    }

    @Test
    void freeFormOutsideTheWindowSendsTheFallbackTemplate() {
        var facts = new OutboundFacts(false, "service", true, "utility", null);
        assertThat(policy.decide(facts, recipient("opted_in", false, CLOSED), NOW)).isEqualTo(new Send(true, true, "utility"));
    }

    @Test
    void theFallbackTemplateStillNeedsConsent() {
        var facts = new OutboundFacts(false, "service", true, "utility", null);
        assertThat(policy.decide(facts, recipient("none", false, CLOSED), NOW)).isEqualTo(new Reject("consent_missing"));
    }

    @Test
    void windowClosingWithinTheSafetyMarginCountsAsClosed() {
        Instant almostClosed = NOW.plusSeconds(30);
        assertThat(policy.decide(freeForm(), recipient("none", false, almostClosed), NOW))
                .isEqualTo(new Reject("window_closed"));
    }

    @Test
    void businessInitiatedTemplatesNeedAnOptIn() {
        assertThat(policy.decide(template("utility"), Recipient.UNKNOWN, NOW)).isEqualTo(new Reject("consent_missing"));
        assertThat(policy.decide(template("utility"), recipient("opted_in", false, null), NOW))
                .isEqualTo(new Send(true, false, "utility"));
    }

    @Test
    void templatesInsideTheWindowAreRepliesAndNeedNoOptIn() {
        assertThat(policy.decide(template("utility"), recipient("none", false, OPEN), NOW))
                .isEqualTo(new Send(false, false, "utility"));
    }

    @Test
    void optInScopedToCategoriesCoversOnlyThose() {
        var utilityOnly = new Recipient("opted_in", List.of("utility"), false, null);
        assertThat(policy.decide(template("utility"), utilityOnly, NOW)).isInstanceOf(Send.class);
        assertThat(policy.decide(template("marketing"), utilityOnly, NOW)).isEqualTo(new Reject("consent_missing"));
    }

    @Test
    void optOutBlocksEverythingButNonMarketingReplies() {
        var optedOutOpen = recipient("opted_out", false, OPEN);
        assertThat(policy.decide(freeForm(), optedOutOpen, NOW)).isEqualTo(new Send(false, false, "service"));
        assertThat(policy.decide(template("utility"), optedOutOpen, NOW)).isInstanceOf(Send.class);
        assertThat(policy.decide(template("marketing"), optedOutOpen, NOW)).isEqualTo(new Reject("opted_out"));
        var optedOutClosed = recipient("opted_out", false, CLOSED);
        assertThat(policy.decide(template("utility"), optedOutClosed, NOW)).isEqualTo(new Reject("opted_out"));
    }

    @Test
    void marketingOptOutBlocksMarketingOnlyRepliesIncluded() {
        var marketingOut = recipient("opted_in", true, OPEN);
        assertThat(policy.decide(template("marketing"), marketingOut, NOW)).isEqualTo(new Reject("marketing_opted_out"));
        assertThat(policy.decide(template("utility"), marketingOut, NOW)).isInstanceOf(Send.class);
        assertThat(policy.decide(freeForm(), marketingOut, NOW)).isInstanceOf(Send.class);
        assertThat(policy.decide(template("marketing"), recipient("opted_in", true, null), NOW))
                .isEqualTo(new Reject("marketing_opted_out"));
    }

    @Test
    void expiredMessagesAreNeverSent() {
        var expired = new OutboundFacts(false, "service", false, null, NOW);
        Reject reject = (Reject) policy.decide(expired, recipient("opted_in", false, OPEN), NOW);
        assertThat(reject.expired()).isTrue();
        var notYet = new OutboundFacts(false, "service", false, null, NOW.plusSeconds(1));
        assertThat(policy.decide(notYet, recipient("opted_in", false, OPEN), NOW)).isInstanceOf(Send.class);
    }
}
