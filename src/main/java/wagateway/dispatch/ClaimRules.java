package wagateway.dispatch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import wagateway.config.GatewayConfig;
import wagateway.message.ClaimedMessage;
import wagateway.message.OutboundQueue;
import wagateway.message.Outcome;
import wagateway.policy.MessagePolicy;
import wagateway.policy.OutboundFacts;
import wagateway.policy.PolicyDecision;
import wagateway.policy.Recipient;
import wagateway.policy.RecipientRepository;
import wagateway.template.AccountTemplates;
import wagateway.template.TemplateCatalog;
import wagateway.template.TemplateFacts;
import wagateway.template.TemplateRefusal;
import wagateway.throttle.MessagingLimit;
import wagateway.throttle.PairPacing;

/**
 * The rules at send time, inside the claim transaction (spec §3): consent, window and expiry
 * ({@link MessagePolicy}, rules 1–3), then pair pacing ({@link PairPacing}, rule 4) and the messaging limit
 * ({@link MessagingLimit}, rule 5). What may not go now is settled by the queue as rejected or deferred.
 */
@ApplicationScoped
public class ClaimRules implements OutboundQueue.Rules<ClaimRules.ToSend> {

    /** A claimed message the rules let through, and how it goes. */
    public record ToSend(ClaimedMessage message, boolean businessInitiated, boolean useFallback) {
    }

    private final RecipientRepository recipients;
    private final PairPacing pacing;
    private final MessagingLimit limit;
    private final GatewayConfig config;
    private final MessagePolicy policy;
    private final TemplateCatalog templates;

    ClaimRules(RecipientRepository recipients, PairPacing pacing, MessagingLimit limit, GatewayConfig config,
            TemplateCatalog templates) {
        this.templates = templates;
        this.recipients = recipients;
        this.pacing = pacing;
        this.limit = limit;
        this.config = config;
        this.policy = new MessagePolicy(config.dispatch().windowSafetyMargin());
    }

    @Override
    public Uni<OutboundQueue.Decided<ToSend>> decide(SqlClient tx, String sender, List<ClaimedMessage> claimed,
            Instant now) {
        List<String> recipientsAsAddressed = claimed.stream().map(ClaimedMessage::recipient).distinct().toList();
        return recipients.find(tx, sender, recipientsAsAddressed).chain(known -> {
            // rules 4 and 5 count people: a phone and a user id of one contact are one recipient
            Map<String, String> person = new HashMap<>();
            recipientsAsAddressed.forEach(to -> person.put(to, known.getOrDefault(to, Recipient.UNKNOWN).personOr(to)));
            List<String> people = person.values().stream().distinct().toList();
            return pacing.nextAllowed(tx, sender, people).chain(nextAllowed -> {
                List<Outcome> settled = new ArrayList<>();
                List<ToSend> candidates = new ArrayList<>();
                PairPacing.Gate gate = new PairPacing.Gate(nextAllowed, config.pairRate().minInterval(), now);
                for (ClaimedMessage m : claimed) {
                    Outcome stopped = templateStopped(m, now);
                    if (stopped != null) {
                        settled.add(stopped);
                        continue;
                    }
                    PolicyDecision decision = policy.decide(facts(m),
                            known.getOrDefault(m.recipient(), Recipient.UNKNOWN), now);
                    if (decision instanceof PolicyDecision.Reject reject) {
                        settled.add(new Outcome.Rejected(m, reject.reason(), reject.expired()));
                        continue;
                    }
                    PolicyDecision.Send send = (PolicyDecision.Send) decision;
                    Instant allowed = gate.admit(person.get(m.recipient()));
                    if (allowed != null) {
                        // rule 4: this one waits; it goes back to the queue and blocks nobody else
                        settled.add(new Outcome.Deferred(m, allowed, PolicyDecision.Reasons.PAIR_RATE));
                        continue;
                    }
                    candidates.add(new ToSend(m, send.businessInitiated(), send.useFallback()));
                }
                return messagingLimit(tx, candidates, settled, person, now).chain(toSend -> {
                    List<String> paced = toSend.stream().map(t -> person.get(t.message().recipient())).distinct()
                            .toList();
                    Uni<Void> reserved = gate.off() ? Uni.createFrom().voidItem()
                            : pacing.reserve(tx, sender, paced, gate.pacedUntil());
                    return reserved.replaceWith(new OutboundQueue.Decided<>(toSend, settled));
                });
            });
        });
    }

    /** Rule 5: business-initiated messages to new recipients take room in the budget, or wait for it. */
    private Uni<List<ToSend>> messagingLimit(SqlClient tx, List<ToSend> candidates, List<Outcome> settled,
            Map<String, String> person, Instant now) {
        int cap = config.messagingLimit().dailyUniqueRecipients();
        List<String> initiated = candidates.stream().filter(ToSend::businessInitiated)
                .map(t -> person.get(t.message().recipient())).toList();
        if (cap == 0 || initiated.isEmpty()) {
            return Uni.createFrom().item(candidates);
        }
        return limit.usage(tx, initiated, now).chain(usage -> {
            MessagingLimit.Allocation allocation = MessagingLimit.allocate(cap, usage, candidates.stream()
                    .map(t -> new MessagingLimit.Candidate(person.get(t.message().recipient()), t.businessInitiated()))
                    .toList());
            List<ToSend> allowed = new ArrayList<>();
            for (int i = 0; i < candidates.size(); i++) {
                if (allocation.allowed()[i]) {
                    allowed.add(candidates.get(i));
                } else {
                    settled.add(new Outcome.Deferred(candidates.get(i).message(), allocation.freesAt(),
                            PolicyDecision.Reasons.TIER_LIMIT_EXCEEDED));
                }
            }
            return limit.reach(tx, allocation.reach(), now).replaceWith(allowed);
        });
    }

    /**
     * What becomes of a message whose template its account's catalogue (in memory) says is paused or disabled:
     * Meta would refuse it (132015 / 132016). Paused until a known time (the pause webhook's FIRST_PAUSE /
     * SECOND_PAUSE), it waits for the end of the pause, or expires now if its expiry comes first; with no end
     * known, or disabled, it is rejected. A pause whose end has passed is over (Meta unpauses on its own): it goes.
     *
     * @return null when the template does not hold it back
     */
    private Outcome templateStopped(ClaimedMessage m, Instant now) {
        if (!m.template() || m.content() == null) {
            return null;
        }
        AccountTemplates catalog = templates.forSender(m.sender());
        if (catalog == null || !catalog.synced()) {
            return null;
        }
        JsonObject template = m.content().getJsonObject("template", new JsonObject());
        JsonObject language = template.getJsonObject("language", new JsonObject());
        TemplateFacts facts = catalog.find(template.getString("name"), language.getString("code"));
        if (facts == null || !facts.stopped() || facts.pauseOver(now)) {
            return null;
        }
        if (!facts.pausedUntilLater(now)) {
            return new Outcome.Rejected(m, TemplateRefusal.NOT_APPROVED, false);
        }
        if (m.expiresAt() != null && !facts.pausedUntil().isBefore(m.expiresAt())) {
            // it would expire before the pause ends: expired now, saying why (as any deferral past the expiry)
            return new Outcome.Rejected(m, TemplateRefusal.PAUSED, true);
        }
        return new Outcome.Deferred(m, facts.pausedUntil(), TemplateRefusal.PAUSED);
    }

    private OutboundFacts facts(ClaimedMessage m) {
        String fallbackCategory = null;
        if (m.fallbackTemplate() != null) {
            // the catalogue's category first, as at accept; the static map only for a never-synced account
            JsonObject template = m.fallbackTemplate().getJsonObject("template", new JsonObject());
            String category = templates.category(m.sender(), template.getString("name"),
                    template.getJsonObject("language", new JsonObject()).getString("code"));
            fallbackCategory = category != null ? category : m.category();
        }
        return new OutboundFacts(m.template(), m.category(), m.fallbackTemplate() != null, fallbackCategory,
                m.expiresAt());
    }
}
