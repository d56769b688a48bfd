package wagateway.message;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import wagateway.policy.PolicyDecision;
import wagateway.support.Times;

/**
 * The PostgreSQL queue as the dispatcher sees it: two short transactions per batch, and never one around the
 * Cloud API call.
 * <ol>
 * <li>{@link #claim}: take due rows of one sender ({@code FOR UPDATE SKIP LOCKED}, highest priority and oldest
 * due first) under a lease, let the caller's {@link Rules} decide in the same transaction, settle the rows that
 * must not go now, and hand back the ones to send.</li>
 * <li>{@link #record}: settle every outcome of the batch (sent, retry, failed, ...) with its timeline entry,
 * business event and consequences.</li>
 * </ol>
 * Every time comes from the application clock, not the database's {@code now()}, so the rules can be tested by
 * moving time.
 */
@ApplicationScoped
public class OutboundQueue {

    private static final String CLAIM = "with due as (select id from outbound_message "
            + "where sender = $1 and status in ('scheduled','queued') and next_attempt_at <= $2 "
            + "order by priority desc, next_attempt_at, id limit $3 for update skip locked) "
            + "update outbound_message m set status = 'sending', lease_owner = $4, lease_expires_at = $5, updated_at = $2 "
            + "from due where m.id = due.id returning m.id, m.sender, m.recipient, m.type, m.category, m.priority, "
            + "m.next_attempt_at, m.content, m.reply_to, m.fallback_template, m.callback_url, m.metadata, m.expires_at, "
            + "m.attempts, m.sent_template, m.created_at";

    /**
     * One statement for every outcome: status, due time, attempts and error columns come from the outcome's
     * {@link Outcome.SettleRow}; it only touches a row this replica still leases.
     */
    private static final String SETTLE = "update outbound_message set status = case when status = 'sending' then $2 else status end, "
            + "next_attempt_at = coalesce($3, next_attempt_at), "
            + "attempts = attempts + $4, reason = case when status = 'sending' then $5 else reason end, "
            + "error_code = case when status = 'sending' then $6 else error_code end, "
            + "error_title = case when status = 'sending' then $7 else error_title end, "
            + "error_detail = case when status = 'sending' then $8 else error_detail end, "
            + "wamid = coalesce($9, wamid), sent_at = case when $2 = 'sent' then $10 else sent_at end, "
            + "sent_template = sent_template or $11, "
            + "updated_at = $10, lease_owner = null, lease_expires_at = null "
            + "where id = $1 and lease_owner = $12 and (status = 'sending' "
            // Meta's webhook (matched by biz_opaque_callback_data) can overtake our own record of the answer
            + "or ($2 = 'sent' and status in ('sent','delivered','read','played','failed'))) "
            + "returning recipient, sender, callback_url, metadata, created_at, "
            // the statement's snapshot: the status before this update
            + "(select o.status from outbound_message o where o.id = $1) as previous_status";

    /**
     * What the dispatcher decides about claimed rows inside the claim transaction: which go now, and the
     * outcomes of the others (rejected by a rule, deferred by a throttle).
     */
    @FunctionalInterface
    public interface Rules<T> {
        Uni<Decided<T>> decide(SqlClient tx, String sender, List<ClaimedMessage> claimed, Instant now);
    }

    /** The rules' answer: what to send (in the caller's terms) and what to settle now. */
    public record Decided<T>(List<T> toSend, List<Outcome> settled) {
    }

    /** What a claim produced: what to send now, and how many rows were claimed in all. */
    public record Claim<T>(List<T> toSend, int claimed) {
    }

    /** The order rows are sent in: priority, then due time, then id. */
    private static final Comparator<ClaimedMessage> ORDER = Comparator
            .comparing((ClaimedMessage m) -> -m.priority()).thenComparing(ClaimedMessage::dueAt)
            .thenComparing(ClaimedMessage::id);

    /**
     * PostgreSQL's uuid order (unsigned, byte by byte), not {@link UUID#compareTo}'s signed one: the order every
     * transaction that locks many messages takes them in.
     */
    public static final Comparator<Outcome> BY_MESSAGE_ID = (a, b) -> {
        UUID x = a.message().id();
        UUID y = b.message().id();
        int high = Long.compareUnsigned(x.getMostSignificantBits(), y.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(x.getLeastSignificantBits(), y.getLeastSignificantBits());
    };

    private final Pool pool;
    private final MessageTimeline timeline;
    private final FailureConsequences consequences;
    private final MetaStatusApplier statuses;
    private final MeterRegistry metrics;

    OutboundQueue(Pool pool, MessageTimeline timeline, FailureConsequences consequences, MetaStatusApplier statuses,
            MeterRegistry metrics) {
        this.pool = pool;
        this.timeline = timeline;
        this.consequences = consequences;
        this.statuses = statuses;
        this.metrics = metrics;
    }

    /**
     * Claims up to {@code limit} due rows of {@code sender} for {@code lease}, and lets {@code rules} decide in
     * the same transaction.
     */
    public <T> Uni<Claim<T>> claim(String sender, int limit, String token, Duration lease, Instant now,
            Rules<T> rules) {
        OffsetDateTime at = Times.utc(now);
        return pool.withTransaction(tx -> tx.preparedQuery(CLAIM)
                .execute(Tuple.of(sender, at, limit, token, Times.utc(now.plus(lease))))
                .chain(rows -> {
                    List<ClaimedMessage> claimed = new ArrayList<>();
                    rows.forEach(row -> claimed.add(claimed(row)));
                    // the claim returns rows in no particular order: restore priority / due order
                    claimed.sort(ORDER);
                    if (claimed.isEmpty()) {
                        return Uni.createFrom().item(new Claim<T>(List.of(), 0));
                    }
                    return rules.decide(tx, sender, claimed, now)
                            .call(decided -> settle(tx, decided.settled(), token, now))
                            .map(decided -> new Claim<>(decided.toSend(), claimed.size()));
                }));
    }

    /**
     * Writes the outcomes of a batch: one transaction, a few pipelined statements. Only rows the claim of
     * {@code token} still holds change: a batch whose lease ran out (and whose rows another claim took since)
     * records nothing over them.
     */
    public Uni<Void> record(List<Outcome> outcomes, String token, Instant now) {
        if (outcomes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(tx -> settle(tx, outcomes, token, now));
    }

    private Uni<Void> settle(SqlClient tx, List<Outcome> outcomes, String token, Instant now) {
        if (outcomes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // Rows are locked in id order, the order the status webhooks (MetaStatusApplier) lock them in: two
        // transactions that lock many messages in one order cannot deadlock each other.
        List<Outcome> effective = new ArrayList<>(outcomes.size());
        for (Outcome o : outcomes) {
            effective.add(Outcome.expireIfLate(o));
        }
        effective.sort(BY_MESSAGE_ID);
        List<Tuple> updates = new ArrayList<>(effective.size());
        for (Outcome o : effective) {
            updates.add(tuple(o, token, now));
        }
        return tx.preparedQuery(SETTLE).executeBatch(updates).chain(first -> {
            // each tuple's result: the row when our lease still held it, none otherwise
            List<StatusChange> changes = new ArrayList<>();
            List<Outcome> settled = new ArrayList<>();
            RowSet<Row> result = first;
            for (Outcome o : effective) {
                if (result.rowCount() > 0) {
                    Row row = result.iterator().next();
                    settled.add(o);
                    StatusChange change = change(o, row, now);
                    if (change != null) {
                        changes.add(change);
                    }
                    count(o, row, now);
                }
                result = result.next();
            }
            return timeline.changed(tx, changes).chain(() -> afterOutcomes(tx, effective, settled, now));
        });
    }

    private static Tuple tuple(Outcome o, String token, Instant now) {
        Outcome.SettleRow row = o.row();
        return Tuple.tuple().addUUID(o.message().id()).addString(row.status().value())
                .addOffsetDateTime(Times.utc(row.nextAttemptAt())).addInteger(row.attempts()).addString(row.reason())
                .addInteger(row.errorCode()).addString(row.errorTitle()).addString(row.errorDetail())
                .addString(row.wamid()).addOffsetDateTime(Times.utc(now)).addBoolean(row.sentTemplate())
                .addString(token);
    }

    /** The change the business is told about; null for outcomes that leave the message waiting. */
    private static StatusChange change(Outcome o, Row row, Instant now) {
        JsonObject metadata = (JsonObject) row.getValue("metadata");
        String recipient = row.getString("recipient");
        String sender = row.getString("sender");
        String callback = row.getString("callback_url");
        UUID id = o.message().id();
        if (o instanceof Outcome.Sent s) {
            if (!"sending".equals(row.getString("previous_status"))) {
                return null; // Meta's webhook got there first and already told the business
            }
            return StatusChange.byGateway(id, recipient, sender, MessageStatus.SENT, null, null, s.wamid(), callback,
                    metadata, StatusChange.Fallback.NONE, now);
        }
        if (o instanceof Outcome.Failed f) {
            return StatusChange.byGateway(id, recipient, sender, MessageStatus.FAILED, null,
                    new StatusChange.Error(f.code(), f.title(), f.detail()), null, callback, metadata,
                    f.fallbackSuggested() ? StatusChange.Fallback.SUGGESTED : StatusChange.Fallback.NONE, now);
        }
        if (o instanceof Outcome.Rejected r) {
            boolean fallback = PolicyDecision.Reasons.WINDOW_CLOSED.equals(r.reason());
            return StatusChange.byGateway(id, recipient, sender,
                    r.expired() ? MessageStatus.EXPIRED : MessageStatus.REJECTED, r.reason(), null, null, callback,
                    metadata, fallback ? StatusChange.Fallback.SUGGESTED : StatusChange.Fallback.NONE, now);
        }
        return null; // retries and deferrals stay queued: no status change to report
    }

    private void count(Outcome o, Row row, Instant now) {
        if (o instanceof Outcome.Rejected r) {
            metrics.counter(r.expired() ? "wagateway_messages_expired_total" : "wagateway_messages_rejected_total",
                    "reason", r.reason()).increment();
        } else if (o instanceof Outcome.Deferred d) {
            metrics.counter("wagateway_throttle_deferrals_total", "reason", d.reason()).increment();
        } else if (o instanceof Outcome.Sent) {
            metrics.counter("wagateway_messages_sent_total").increment();
            metrics.timer("wagateway_dispatch_latency")
                    .record(Duration.between(row.getOffsetDateTime("created_at").toInstant(), now));
        } else if (o instanceof Outcome.Failed f) {
            metrics.counter("wagateway_messages_failed_total", "code", String.valueOf(f.code())).increment();
        } else if (o instanceof Outcome.Retry r) {
            metrics.counter("wagateway_send_retries_total", "code", String.valueOf(r.code())).increment();
        }
    }

    /**
     * What the Cloud API told us about the customer (131047, 131050: {@link FailureConsequences}, the same as
     * for a webhook), then the statuses Meta sent before we knew the wamid.
     */
    private Uni<Void> afterOutcomes(SqlClient tx, List<Outcome> outcomes, List<Outcome> settled, Instant now) {
        List<FailureConsequences.Failure> failures = new ArrayList<>();
        for (Outcome o : outcomes) {
            Integer code = Outcome.errorCode(o);
            ClaimedMessage m = o.message();
            if (FailureConsequences.matters(code)) {
                // what Meta said of the customer holds even if our lease on the row ran out meanwhile; a
                // synchronous 131047 needs no new message: a Retry sends the fallback template itself
                failures.add(new FailureConsequences.Failure(m.id(), m.recipient(), m.sender(), m.callbackUrl(), code,
                        m.id().toString(), now, false));
            }
        }
        List<String> wamids = new ArrayList<>();
        for (Outcome o : settled) {
            if (o instanceof Outcome.Sent s && s.wamid() != null) {
                wamids.add(s.wamid());
            }
        }
        return consequences.apply(tx, failures, now).chain(() -> statuses.applyKept(tx, wamids));
    }

    /** Puts back rows whose lease ran out (their replica died mid-batch): at-least-once after a crash. */
    public Uni<Integer> reclaimExpiredLeases(Instant now) {
        return pool.preparedQuery("update outbound_message set status = 'queued', lease_owner = null, lease_expires_at = null, "
                + "next_attempt_at = $1, updated_at = $1 where status = 'sending' and lease_expires_at < $1")
                .execute(Tuple.of(Times.utc(now))).map(RowSet::rowCount);
    }

    /**
     * Puts back this replica's own leased rows (graceful shutdown): every claim token of {@code owner}
     * ({@link #claimToken}).
     */
    public Uni<Integer> releaseLeases(String owner, Instant now) {
        return pool.preparedQuery("update outbound_message set status = 'queued', lease_owner = null, lease_expires_at = null, "
                + "updated_at = $2 where status = 'sending' and starts_with(lease_owner, $1 || '/')")
                .execute(Tuple.of(owner, Times.utc(now))).map(RowSet::rowCount);
    }

    /**
     * The lease a claim writes on its rows: the replica and the claim, so each batch settles only the rows of its
     * own claim (fencing), and a replica can still give back all of its rows at once.
     */
    public static String claimToken(String owner, String claim) {
        return owner + "/" + claim;
    }

    /**
     * What waits in the queue of some senders at {@code now}, by why it waits (a drain run's exit line). A message
     * deferred by rule 4 or 5 carries that reason until it is claimed again; a due one is claimable now.
     */
    public record Backlog(long due, long sending, long scheduledLater, long pairInterval, long messagingLimit,
            long retryBackoff) {

        /** Messages waiting for a later time, in all. */
        public long waiting() {
            return scheduledLater + pairInterval + messagingLimit + retryBackoff;
        }
    }

    public Uni<Backlog> backlog(List<String> senders, Instant now) {
        return pool.preparedQuery("select "
                + "count(*) filter (where status in ('scheduled','queued') and next_attempt_at <= $2), "
                + "count(*) filter (where status = 'sending'), "
                + "count(*) filter (where status = 'scheduled' and next_attempt_at > $2 "
                + "and coalesce(reason, '') not in ($3, $4)), "
                + "count(*) filter (where status in ('scheduled','queued') and next_attempt_at > $2 and reason = $3), "
                + "count(*) filter (where status in ('scheduled','queued') and next_attempt_at > $2 and reason = $4), "
                + "count(*) filter (where status = 'queued' and next_attempt_at > $2 "
                + "and coalesce(reason, '') not in ($3, $4)) "
                + "from outbound_message where sender = any($1) and status in ('scheduled','queued','sending')")
                .execute(Tuple.of(senders.toArray(String[]::new), Times.utc(now), PolicyDecision.Reasons.PAIR_RATE,
                        PolicyDecision.Reasons.TIER_LIMIT_EXCEEDED))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Backlog(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4),
                            r.getLong(5));
                });
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

    private static ClaimedMessage claimed(Row row) {
        return new ClaimedMessage(row.getUUID("id"), row.getString("sender"), row.getString("recipient"),
                row.getString("type"), row.getString("category"), row.getShort("priority"),
                row.getOffsetDateTime("next_attempt_at").toInstant(), (JsonObject) row.getValue("content"),
                row.getString("reply_to"), (JsonObject) row.getValue("fallback_template"), row.getString("callback_url"),
                (JsonObject) row.getValue("metadata"), Times.instant(row.getOffsetDateTime("expires_at")),
                row.getInteger("attempts"), row.getBoolean("sent_template"),
                row.getOffsetDateTime("created_at").toInstant());
    }
}
