package wagateway.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.config.GatewayConfig;
import wagateway.contact.ConsentChange;
import wagateway.contact.ConsentLedger;
import wagateway.contact.ContactStore;
import wagateway.message.MessageStatus;
import wagateway.message.StatusChange;
import wagateway.message.StatusChangeRecorder;
import wagateway.policy.MessagePolicy;
import wagateway.policy.OutboundFacts;
import wagateway.policy.PolicyDecision;
import wagateway.policy.Recipient;
import wagateway.policy.RecipientRepository;
import wagateway.webhook.OrphanStatuses;

/**
 * The PostgreSQL queue as the dispatcher sees it: two short transactions per batch, and never one
 * around the Cloud API call.
 * <ol>
 * <li>{@link #claim}: take due rows of one sender ({@code FOR UPDATE SKIP LOCKED}, highest priority and
 * oldest due first) under a lease, apply the rules (expiry, consent, window, pair rate, messaging
 * limit), settle the ones that must not go now, and hand back the ones to send.</li>
 * <li>{@link #record}: write every outcome of the batch (sent, retry, failed, ...) with its timeline
 * entry and business event.</li>
 * </ol>
 * Every time comes from the application clock, not the database's {@code now()}, so the rules can be
 * tested by moving time.
 */
@ApplicationScoped
public class OutboundQueue {

    /** Serialises the messaging-limit count across replicas and senders (the budget is portfolio-wide). */
    static final long MESSAGING_LIMIT_LOCK = 0x77616761L; // "waga"
    static final Duration MESSAGING_LIMIT_WINDOW = Duration.ofHours(24);

    private static final String CLAIM = "with due as (select id from outbound_message "
            + "where sender = $1 and status in ('scheduled','queued') and next_attempt_at <= $2 "
            + "order by priority desc, next_attempt_at, id limit $3 for update skip locked) "
            + "update outbound_message m set status = 'sending', lease_owner = $4, lease_expires_at = $5, updated_at = $2 "
            + "from due where m.id = due.id returning m.id, m.sender, m.recipient, m.type, m.category, m.priority, "
            + "m.next_attempt_at, m.content, m.reply_to, m.fallback_template, m.callback_url, m.metadata, m.expires_at, "
            + "m.attempts, m.sent_template, m.created_at";

    private final Pool pool;
    private final RecipientRepository recipients;
    private final StatusChangeRecorder recorder;
    private final GatewayConfig config;
    private final MessagePolicy policy;
    private final MeterRegistry metrics;
    private final ContactStore contacts;
    private final ConsentLedger consent;
    private final OrphanStatuses orphans;

    OutboundQueue(Pool pool, RecipientRepository recipients, StatusChangeRecorder recorder, GatewayConfig config,
            MeterRegistry metrics, ContactStore contacts, ConsentLedger consent, OrphanStatuses orphans) {
        this.contacts = contacts;
        this.consent = consent;
        this.orphans = orphans;
        this.pool = pool;
        this.recipients = recipients;
        this.recorder = recorder;
        this.config = config;
        this.policy = new MessagePolicy(config.dispatch().windowSafetyMargin());
        this.metrics = metrics;
    }

    /** A claimed message the rules let through, and how it goes. */
    public record ToSend(ClaimedMessage message, boolean businessInitiated, boolean useFallback) {
    }

    /** What a claim produced: messages to send now, and how many rows were claimed in all. */
    public record Claim(List<ToSend> toSend, int claimed) {
    }

    public Uni<Claim> claim(String sender, int limit, String owner, Instant now) {
        OffsetDateTime at = utc(now);
        return pool.withTransaction(tx -> tx.preparedQuery(CLAIM)
                .execute(Tuple.of(sender, at, limit, owner, utc(now.plus(config.dispatch().lease()))))
                .chain(rows -> {
                    List<ClaimedMessage> claimed = new ArrayList<>();
                    rows.forEach(row -> claimed.add(claimed(row)));
                    // the claim returns rows in no particular order: restore priority / due order
                    claimed.sort(ORDER);
                    if (claimed.isEmpty()) {
                        return Uni.createFrom().item(new Claim(List.of(), 0));
                    }
                    return decide(tx, sender, claimed, owner, now).map(toSend -> new Claim(toSend, claimed.size()));
                }));
    }

    private static final java.util.Comparator<ClaimedMessage> ORDER = java.util.Comparator
            .comparing((ClaimedMessage m) -> -m.priority()).thenComparing(ClaimedMessage::dueAt)
            .thenComparing(ClaimedMessage::id);

    private Uni<List<ToSend>> decide(SqlClient tx, String sender, List<ClaimedMessage> claimed, String owner, Instant now) {
        List<String> phones = claimed.stream().map(ClaimedMessage::recipient).distinct().toList();
        return recipients.find(tx, sender, phones).chain(known -> pacing(tx, sender, phones).chain(nextAllowed -> {
            List<Outcome> settled = new ArrayList<>();
            List<ToSend> candidates = new ArrayList<>();
            Duration interval = config.pairRate().minInterval();
            for (ClaimedMessage m : claimed) {
                PolicyDecision decision = policy.decide(facts(m), known.getOrDefault(m.recipient(), Recipient.UNKNOWN), now);
                if (decision instanceof PolicyDecision.Reject reject) {
                    settled.add(new Outcome.Rejected(m, reject.reason(), reject.expired()));
                    continue;
                }
                PolicyDecision.Send send = (PolicyDecision.Send) decision;
                Instant allowed = nextAllowed.get(m.recipient());
                if (allowed != null && allowed.isAfter(now)) {
                    // rule 4: this one waits; it goes back to the queue and blocks nobody else
                    settled.add(new Outcome.Deferred(m, allowed, PolicyDecision.Reasons.PAIR_RATE));
                    continue;
                }
                nextAllowed.put(m.recipient(), now.plus(interval));
                candidates.add(new ToSend(m, send.businessInitiated(), send.useFallback()));
            }
            return messagingLimit(tx, candidates, settled, now).chain(toSend -> {
                List<String> paced = toSend.stream().map(t -> t.message().recipient()).distinct().toList();
                return reservePacing(tx, sender, paced, now.plus(interval))
                        .chain(() -> settle(tx, settled, owner, now))
                        .replaceWith(toSend);
            });
        }));
    }

    private Uni<Map<String, Instant>> pacing(SqlClient tx, String sender, List<String> phones) {
        return tx.preparedQuery("select recipient, next_allowed_at from pair_pacing where sender = $1 and recipient = any($2)")
                .execute(Tuple.tuple().addString(sender).addArrayOfString(phones.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Instant> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString(0), r.getOffsetDateTime(1).toInstant()));
                    return out;
                });
    }

    private Uni<Void> reservePacing(SqlClient tx, String sender, List<String> phones, Instant until) {
        if (phones.isEmpty() || config.pairRate().minInterval().isZero()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("insert into pair_pacing (sender, recipient, next_allowed_at) "
                + "select $1, unnest($2::text[]), $3 on conflict (sender, recipient) do update set next_allowed_at = excluded.next_allowed_at")
                .execute(Tuple.tuple().addString(sender).addArrayOfString(phones.toArray(String[]::new))
                        .addOffsetDateTime(utc(until)))
                .replaceWithVoid();
    }

    /**
     * Rule 5: distinct recipients of business-initiated messages in a rolling 24 h, one budget for all
     * senders. Recipients already reached in the window cost nothing; new ones take room while there is
     * some; the rest wait until the oldest reach leaves the window. Replies never count.
     */
    private Uni<List<ToSend>> messagingLimit(SqlClient tx, List<ToSend> candidates, List<Outcome> settled, Instant now) {
        int cap = config.messagingLimit().dailyUniqueRecipients();
        List<ToSend> initiated = candidates.stream().filter(ToSend::businessInitiated).toList();
        if (cap == 0 || initiated.isEmpty()) {
            return Uni.createFrom().item(candidates);
        }
        OffsetDateTime since = utc(now.minus(MESSAGING_LIMIT_WINDOW));
        String[] phones = initiated.stream().map(t -> t.message().recipient()).distinct().toArray(String[]::new);
        return tx.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(MESSAGING_LIMIT_LOCK))
                .chain(() -> tx.preparedQuery("select (select count(*) from recipient_reach where reached_at > $1), "
                        + "(select min(reached_at) from recipient_reach where reached_at > $1), "
                        + "(select array_agg(recipient) from recipient_reach where reached_at > $1 and recipient = any($2))")
                        .execute(Tuple.tuple().addOffsetDateTime(since).addArrayOfString(phones)))
                .chain(rows -> {
                    Row row = rows.iterator().next();
                    long used = row.getLong(0);
                    Instant oldest = row.getOffsetDateTime(1) == null ? now : row.getOffsetDateTime(1).toInstant();
                    String[] reachedArray = row.getArrayOfStrings(2);
                    Set<String> reached = new HashSet<>(reachedArray == null ? List.of() : List.of(reachedArray));
                    long room = cap - used;
                    List<ToSend> allowed = new ArrayList<>();
                    List<String> reach = new ArrayList<>();
                    for (ToSend t : candidates) {
                        String phone = t.message().recipient();
                        if (!t.businessInitiated() || reached.contains(phone)) {
                            allowed.add(t);
                            if (t.businessInitiated()) {
                                reach.add(phone);
                            }
                        } else if (room > 0) {
                            room--;
                            reached.add(phone);
                            reach.add(phone);
                            allowed.add(t);
                        } else {
                            settled.add(new Outcome.Deferred(t.message(), oldest.plus(MESSAGING_LIMIT_WINDOW),
                                    PolicyDecision.Reasons.TIER_LIMIT_EXCEEDED));
                        }
                    }
                    if (reach.isEmpty()) {
                        return Uni.createFrom().item(allowed);
                    }
                    return tx.preparedQuery("insert into recipient_reach (recipient, reached_at) select unnest($1::text[]), $2 "
                            + "on conflict (recipient) do update set reached_at = excluded.reached_at")
                            .execute(Tuple.tuple().addArrayOfString(reach.stream().distinct().toArray(String[]::new))
                                    .addOffsetDateTime(utc(now)))
                            .replaceWith(allowed);
                });
    }

    /** PostgreSQL's uuid order (unsigned, byte by byte), not {@link UUID#compareTo}'s signed one. */
    static final Comparator<Outcome> BY_MESSAGE_ID = (a, b) -> {
        UUID x = a.message().id();
        UUID y = b.message().id();
        int high = Long.compareUnsigned(x.getMostSignificantBits(), y.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(x.getLeastSignificantBits(), y.getLeastSignificantBits());
    };

    /** Writes the outcomes of a batch: one transaction, a few pipelined statements. */
    public Uni<Void> record(List<Outcome> outcomes, String owner, Instant now) {
        if (outcomes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(tx -> settle(tx, outcomes, owner, now));
    }

    private Uni<Void> settle(SqlClient tx, List<Outcome> outcomes, String owner, Instant now) {
        if (outcomes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> updates = new ArrayList<>(outcomes.size());
        List<Outcome> effective = new ArrayList<>(outcomes.size());
        // Rows are locked in id order, the order the webhook batch (StatusBatchApplier) locks them in:
        // two transactions that lock many messages in one order cannot deadlock each other.
        List<Outcome> inIdOrder = new ArrayList<>(outcomes);
        inIdOrder.sort(BY_MESSAGE_ID);
        for (Outcome o : inIdOrder) {
            Outcome e = expireIfLate(o);
            effective.add(e);
            updates.add(update(e, owner, now));
        }
        return tx.preparedQuery(SETTLE).executeBatch(updates).chain(first -> {
            // each tuple's result: the row when our lease still held it, none otherwise
            List<StatusChange> changes = new ArrayList<>();
            RowSet<Row> result = first;
            for (Outcome o : effective) {
                if (result.rowCount() > 0) {
                    StatusChange change = change(o, result.iterator().next(), now);
                    if (change != null) {
                        changes.add(change);
                    }
                    count(o);
                }
                result = result.next();
            }
            return recorder.recordAll(tx, changes).chain(() -> afterOutcomes(tx, effective, now));
        });
    }

    /** A deferral or retry past the message's expiry ends it as {@code expired} now. */
    private static Outcome expireIfLate(Outcome o) {
        Instant expiresAt = o.message().expiresAt();
        if (expiresAt == null) {
            return o;
        }
        if (o instanceof Outcome.Deferred d && !d.at().isBefore(expiresAt)
                || o instanceof Outcome.Retry r && !r.at().isBefore(expiresAt)) {
            return new Outcome.Rejected(o.message(), PolicyDecision.Reasons.EXPIRED, true);
        }
        return o;
    }

    /**
     * One statement for every outcome: status, due time, attempts and error columns come from the
     * outcome; it only touches a row this replica still leases.
     */
    private static final String SETTLE = "update outbound_message set status = case when status = 'sending' then $2 else status end, "
            + "next_attempt_at = coalesce($3, next_attempt_at), "
            + "attempts = attempts + $4, reason = case when status = 'sending' then $5 else reason end, "
            + "error_code = case when status = 'sending' then $6 else error_code end, "
            + "error_title = case when status = 'sending' then $7 else error_title end, "
            + "error_detail = case when status = 'sending' then $8 else error_detail end, "
            + "wamid = coalesce($9, wamid), sent_at = case when $2 = 'sent' then $10 else sent_at end, "
            + "sent_template = sent_template or $11, business_initiated = coalesce($12, business_initiated), "
            + "updated_at = $10, lease_owner = null, lease_expires_at = null "
            + "where id = $1 and lease_owner = $13 and (status = 'sending' "
            // Meta's webhook (matched by biz_opaque_callback_data) can overtake our own record of the answer
            + "or ($2 = 'sent' and status in ('sent','delivered','read','played','failed'))) "
            + "returning recipient, sender, callback_url, metadata, created_at, "
            // the statement's snapshot: the status before this update
            + "(select o.status from outbound_message o where o.id = $1) as previous_status";

    private static Tuple update(Outcome o, String owner, Instant now) {
        Tuple t = Tuple.tuple().addUUID(o.message().id());
        if (o instanceof Outcome.Sent s) {
            return t.addString("sent").addOffsetDateTime(null).addInteger(1).addString(null).addInteger(null)
                    .addString(null).addString(null).addString(s.wamid()).addOffsetDateTime(utc(now))
                    .addBoolean(s.asTemplate()).addBoolean(null).addString(owner);
        }
        if (o instanceof Outcome.Retry r) {
            return t.addString("queued").addOffsetDateTime(utc(r.at())).addInteger(r.countAttempt() ? 1 : 0)
                    .addString(null).addInteger(r.code()).addString(r.title()).addString(r.detail()).addString(null)
                    .addOffsetDateTime(utc(now)).addBoolean(false).addBoolean(null).addString(owner);
        }
        if (o instanceof Outcome.Failed f) {
            return t.addString("failed").addOffsetDateTime(null).addInteger(1).addString(null).addInteger(f.code())
                    .addString(f.title()).addString(f.detail()).addString(null).addOffsetDateTime(utc(now))
                    .addBoolean(false).addBoolean(null).addString(owner);
        }
        if (o instanceof Outcome.Rejected r) {
            return t.addString(r.expired() ? "expired" : "rejected").addOffsetDateTime(null).addInteger(0)
                    .addString(r.reason()).addInteger(null).addString(null).addString(null).addString(null)
                    .addOffsetDateTime(utc(now)).addBoolean(false).addBoolean(null).addString(owner);
        }
        Outcome.Deferred d = (Outcome.Deferred) o;
        return t.addString("queued").addOffsetDateTime(utc(d.at())).addInteger(0).addString(d.reason())
                .addInteger(null).addString(null).addString(null).addString(null).addOffsetDateTime(utc(now))
                .addBoolean(false).addBoolean(null).addString(owner);
    }

    private StatusChange change(Outcome o, Row row, Instant now) {
        JsonObject metadata = (JsonObject) row.getValue("metadata");
        String recipient = row.getString("recipient");
        String sender = row.getString("sender");
        String callback = row.getString("callback_url");
        UUID id = o.message().id();
        if (o instanceof Outcome.Sent s) {
            metrics.timer("wagateway_dispatch_latency").record(Duration.between(
                    row.getOffsetDateTime("created_at").toInstant(), now));
            if (!"sending".equals(row.getString("previous_status"))) {
                return null; // Meta's webhook got there first and already told the business
            }
            return new StatusChange(id, recipient, sender, MessageStatus.SENT, null, null, null, null, s.wamid(), callback,
                    metadata, false, now);
        }
        if (o instanceof Outcome.Failed f) {
            return new StatusChange(id, recipient, sender, MessageStatus.FAILED, null, f.code(), f.title(), f.detail(),
                    null, callback, metadata, f.fallbackSuggested(), now);
        }
        if (o instanceof Outcome.Rejected r) {
            boolean fallback = PolicyDecision.Reasons.WINDOW_CLOSED.equals(r.reason());
            return new StatusChange(id, recipient, sender, r.expired() ? MessageStatus.EXPIRED : MessageStatus.REJECTED,
                    r.reason(), null, null, null, null, callback, metadata, fallback, now);
        }
        return null; // retries and deferrals stay queued: no status change to report
    }

    private void count(Outcome o) {
        if (o instanceof Outcome.Rejected r) {
            metrics.counter(r.expired() ? "wagateway_messages_expired_total" : "wagateway_messages_rejected_total",
                    "reason", r.reason()).increment();
        } else if (o instanceof Outcome.Deferred d) {
            metrics.counter("wagateway_throttle_deferrals_total", "reason", d.reason()).increment();
        } else if (o instanceof Outcome.Sent) {
            metrics.counter("wagateway_messages_sent_total").increment();
        } else if (o instanceof Outcome.Failed f) {
            metrics.counter("wagateway_messages_failed_total", "code", String.valueOf(f.code())).increment();
        } else if (o instanceof Outcome.Retry r) {
            metrics.counter("wagateway_send_retries_total", "code", String.valueOf(r.code())).increment();
        }
    }

    /**
     * What the Cloud API told us about the customer, written with the same ledger and store the webhooks
     * use: 131047 closes the window in our records (rule 2); 131050 records a marketing-only opt-out in the
     * consent trail (rule 1). Then statuses Meta sent before we knew the wamid are applied.
     */
    private Uni<Void> afterOutcomes(SqlClient tx, List<Outcome> outcomes, Instant now) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        List<Outcome.Sent> sent = new ArrayList<>();
        // contacts are locked in phone order, so two batches touching the same customers cannot deadlock
        List<Outcome> byPhone = new ArrayList<>(outcomes);
        byPhone.sort(java.util.Comparator.comparing((Outcome o) -> o.message().recipient()));
        for (Outcome o : byPhone) {
            Integer code = o instanceof Outcome.Failed f ? f.code() : o instanceof Outcome.Retry r ? r.code() : null;
            String phone = o.message().recipient();
            if (code != null && code == 131047) {
                String sender = o.message().sender();
                chain = chain.chain(() -> contacts.closeWindow(tx, phone, sender, now, now));
            } else if (code != null && code == 131050) {
                var change = ConsentChange.fromWhatsApp(phone, ConsentChange.OPTED_OUT, ConsentChange.SCOPE_MARKETING,
                        "cloud_api_131050", o.message().id().toString(), now, null);
                chain = chain.chain(() -> consent.record(tx, change).replaceWithVoid());
            } else if (o instanceof Outcome.Sent s && s.wamid() != null) {
                sent.add(s);
            }
        }
        return sent.isEmpty() ? chain : chain.chain(() -> applyOrphans(tx, sent));
    }

    /** One query finds which of the batch's wamids Meta reported before we knew them; only those are applied. */
    private Uni<Void> applyOrphans(SqlClient tx, List<Outcome.Sent> sent) {
        String[] wamids = sent.stream().map(Outcome.Sent::wamid).toArray(String[]::new);
        return tx.preparedQuery("select distinct wamid from orphan_status where wamid = any($1)")
                .execute(Tuple.tuple().addArrayOfString(wamids))
                .chain(rows -> {
                    Set<String> waiting = new HashSet<>();
                    rows.forEach(r -> waiting.add(r.getString(0)));
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Outcome.Sent s : sent) {
                        if (waiting.contains(s.wamid())) {
                            chain = chain.chain(() -> orphans.applyOrphans(tx, s.message().id(), s.wamid()));
                        }
                    }
                    return chain;
                });
    }

    /** Puts back rows whose lease ran out (their replica died mid-batch): at-least-once after a crash. */
    public Uni<Integer> reclaimExpiredLeases(Instant now) {
        return pool.preparedQuery("update outbound_message set status = 'queued', lease_owner = null, lease_expires_at = null, "
                + "next_attempt_at = $1, updated_at = $1 where status = 'sending' and lease_expires_at < $1")
                .execute(Tuple.of(utc(now))).map(RowSet::rowCount);
    }

    /** Puts back this replica's own leased rows (graceful shutdown, or a batch that could not be recorded). */
    public Uni<Integer> releaseLeases(String owner, Instant now) {
        return pool.preparedQuery("update outbound_message set status = 'queued', lease_owner = null, lease_expires_at = null, "
                + "updated_at = $2 where status = 'sending' and lease_owner = $1")
                .execute(Tuple.of(owner, utc(now))).map(RowSet::rowCount);
    }

    /** Queue depth by status, for the metrics gauge. */
    public Uni<Map<String, Long>> depth() {
        return pool.query(
                "select status, count(*) from outbound_message where status in ('scheduled','queued','sending') group by status")
                .execute().map(rows -> {
                    Map<String, Long> out = new HashMap<>(Map.of("scheduled", 0L, "queued", 0L, "sending", 0L));
                    rows.forEach(r -> out.put(r.getString(0), r.getLong(1)));
                    return out;
                });
    }

    private OutboundFacts facts(ClaimedMessage m) {
        String fallbackCategory = null;
        if (m.fallbackTemplate() != null) {
            var name = m.fallbackTemplate().getJsonObject("template", new JsonObject()).getString("name");
            var configured = name == null ? null : config.templates().get(name);
            fallbackCategory = configured != null ? configured.category() : m.category();
        }
        return new OutboundFacts(m.template(), m.category(), m.fallbackTemplate() != null, fallbackCategory, m.expiresAt());
    }

    private static ClaimedMessage claimed(Row row) {
        OffsetDateTime expires = row.getOffsetDateTime("expires_at");
        return new ClaimedMessage(row.getUUID("id"), row.getString("sender"), row.getString("recipient"),
                row.getString("type"), row.getString("category"), row.getShort("priority"),
                row.getOffsetDateTime("next_attempt_at").toInstant(), (JsonObject) row.getValue("content"),
                row.getString("reply_to"), (JsonObject) row.getValue("fallback_template"), row.getString("callback_url"),
                (JsonObject) row.getValue("metadata"), expires == null ? null : expires.toInstant(),
                row.getInteger("attempts"), row.getBoolean("sent_template"),
                row.getOffsetDateTime("created_at").toInstant());
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
