package wagateway.webhook;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.event.EventOutbox;
import wagateway.message.MessageStatus;
import wagateway.webhook.api.StatusUpdate;
import wagateway.webhook.api.WebhookError;

/**
 * Applies many Meta statuses (a whole drain batch) in the caller's transaction with a fixed number of
 * set-based statements, whatever the batch size: one locking read of the messages, one timeline insert,
 * one status update, one event append, one orphan insert. Three webhooks per message made the
 * one-transaction-per-status path the end-to-end bottleneck (docs/performance.md).
 * <p>
 * Same result as {@link StatusUpdateHandler} one by one: a message is found by wamid, else by
 * {@code biz_opaque_callback_data} (whose wamid is then recorded); each (message, status) enters the
 * timeline once; the status moves forward only ({@link MessageStatus#canAdvanceTo}); one
 * {@code message.status} event per move; unknown wamids are kept as orphans. Within a batch, the new
 * statuses of one message are walked in rank order, so a {@code read} that overtook its {@code delivered}
 * still reports both moves, once each.
 */
@ApplicationScoped
public class StatusBatchApplier {

    private static final String LOCK = "select " + OutboundMessageRef.COLUMNS + " from outbound_message "
            + "where wamid = any($1) or id = any($2) order by id for no key update";

    private static final String TIMELINE = """
            insert into message_event (message_id, status, source, occurred_at, recorded_at, error_code, error_title,
                error_detail, details)
            select u.message_id, u.status, 'webhook', u.occurred_at, $8, u.error_code, u.error_title, u.error_detail,
                u.details::jsonb
            from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::text[], $7::text[])
                as u(message_id, status, occurred_at, error_code, error_title, error_detail, details)
            on conflict (message_id, status) where source = 'webhook' do nothing
            returning message_id, status""";

    /** Guarded by the status read under lock: a row someone else moved meanwhile is left alone. */
    private static final String MOVE = """
            update outbound_message m set status = u.status, updated_at = $7,
                error_code = coalesce(u.error_code, m.error_code), error_title = coalesce(u.error_title, m.error_title),
                error_detail = coalesce(u.error_detail, m.error_detail)
            from unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
                as u(id, status, previous, error_code, error_title, error_detail)
            where m.id = u.id and m.status = u.previous""";

    private static final String RECORD_WAMIDS = """
            update outbound_message m set wamid = u.wamid
            from unnest($1::uuid[], $2::text[]) as u(id, wamid)
            where m.id = u.id and m.wamid is null""";

    private static final String KEEP_ORPHANS = """
            insert into orphan_status (wamid, status, occurred_at, payload, received_at)
            select u.wamid, u.status, u.occurred_at, u.payload::jsonb, $5
            from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) as u(wamid, status, occurred_at, payload)
            on conflict (wamid, status) do nothing""";

    private final MessageStatusRecorder recorder;
    private final OrphanStatuses orphans;
    private final EventOutbox outbox;
    private final WebhookMetrics metrics;
    private final Clock clock;

    StatusBatchApplier(MessageStatusRecorder recorder, OrphanStatuses orphans, EventOutbox outbox,
            WebhookMetrics metrics, Clock clock) {
        this.recorder = recorder;
        this.orphans = orphans;
        this.outbox = outbox;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Applies {@code updates} (in the order Meta sent them) inside {@code tx}. */
    Uni<Void> apply(SqlClient tx, List<StatusUpdate> updates) {
        List<StatusUpdate> valid = new ArrayList<>(updates.size());
        Set<String> wamids = new LinkedHashSet<>();
        Set<UUID> ids = new LinkedHashSet<>();
        for (StatusUpdate update : updates) {
            if (update.status() == null || update.wamid() == null && update.bizOpaqueCallbackData() == null) {
                Log.warn("Status without status value or message id: ignored");
                continue;
            }
            valid.add(update);
            if (update.wamid() != null) {
                wamids.add(update.wamid());
            }
            UUID id = StatusUpdateHandler.uuidOrNull(update.bizOpaqueCallbackData());
            if (id != null) {
                ids.add(id);
            }
        }
        if (valid.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery(LOCK)
                .execute(Tuple.tuple().addArrayOfString(wamids.toArray(String[]::new))
                        .addArrayOfUUID(ids.toArray(UUID[]::new)))
                .chain(rows -> {
                    List<OutboundMessageRef> found = new ArrayList<>();
                    rows.forEach(row -> found.add(OutboundMessageRef.of(row)));
                    return apply(tx, Plan.of(valid, found));
                });
    }

    private Uni<Void> apply(SqlClient tx, Plan plan) {
        Instant now = clock.instant();
        plan.duplicates.forEach(update -> metrics.status(update.status(), "duplicate"));
        return recordWamids(tx, plan)
                .chain(() -> timeline(tx, plan, now))
                .chain(inserted -> move(tx, plan, inserted, now))
                .chain(() -> keepOrphans(tx, plan.orphans, now))
                .chain(() -> applyKeptOrphans(tx, plan));
    }

    private static Uni<Void> recordWamids(SqlClient tx, Plan plan) {
        List<Target> recorded = plan.targets.values().stream().filter(t -> t.recordedWamid != null).toList();
        if (recorded.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery(RECORD_WAMIDS)
                .execute(Tuple.tuple().addArrayOfUUID(recorded.stream().map(t -> t.message.id()).toArray(UUID[]::new))
                        .addArrayOfString(recorded.stream().map(t -> t.recordedWamid).toArray(String[]::new)))
                .replaceWithVoid();
    }

    /** @return the (message, status) pairs that are new in the timeline */
    private static Uni<Set<String>> timeline(SqlClient tx, Plan plan, Instant now) {
        List<UUID> messageIds = new ArrayList<>();
        List<String> statuses = new ArrayList<>();
        List<OffsetDateTime> occurred = new ArrayList<>();
        List<Integer> codes = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        List<String> detailTexts = new ArrayList<>();
        List<String> details = new ArrayList<>();
        for (Target target : plan.targets.values()) {
            for (StatusUpdate update : target.updates.values()) {
                WebhookError error = update.error();
                JsonObject extra = MessageStatusRecorder.details(update);
                messageIds.add(target.message.id());
                statuses.add(update.status());
                occurred.add(occurredAt(update, now).atOffset(ZoneOffset.UTC));
                codes.add(error == null ? null : error.code());
                titles.add(error == null ? null : error.title());
                detailTexts.add(error == null ? null : error.detail());
                details.add(extra == null ? null : extra.encode());
            }
        }
        if (messageIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return tx.preparedQuery(TIMELINE)
                .execute(Tuple.tuple().addArrayOfUUID(messageIds.toArray(UUID[]::new))
                        .addArrayOfString(statuses.toArray(String[]::new))
                        .addArrayOfOffsetDateTime(occurred.toArray(OffsetDateTime[]::new))
                        .addArrayOfInteger(codes.toArray(Integer[]::new))
                        .addArrayOfString(titles.toArray(String[]::new))
                        .addArrayOfString(detailTexts.toArray(String[]::new))
                        .addArrayOfString(details.toArray(String[]::new))
                        .addOffsetDateTime(now.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    Set<String> inserted = new HashSet<>();
                    for (Row row : rows) {
                        inserted.add(key(row.getUUID("message_id"), row.getString("status")));
                    }
                    return inserted;
                });
    }

    /** Walks each message's new statuses in rank order: moves, events and the consequences of failures. */
    private Uni<Void> move(SqlClient tx, Plan plan, Set<String> inserted, Instant now) {
        List<Object[]> moves = new ArrayList<>();
        List<EventOutbox.NewEvent> events = new ArrayList<>();
        Uni<Void> consequences = Uni.createFrom().voidItem();
        for (Target target : plan.targets.values()) {
            List<StatusUpdate> fresh = new ArrayList<>();
            for (StatusUpdate update : target.updates.values()) {
                boolean isNew = inserted.contains(key(target.message.id(), update.status()));
                metrics.status(update.status(), isNew ? "applied" : "duplicate");
                if (isNew) {
                    fresh.add(update);
                }
            }
            for (StatusUpdate update : fresh) {
                OutboundMessageRef message = target.message;
                consequences = consequences.chain(() -> recorder.consequences(tx, message, update,
                        occurredAt(update, now), now));
            }
            fresh.sort(Comparator.comparingInt(StatusBatchApplier::rank));
            MessageStatus before = MessageStatus.parse(target.message.status()).orElse(null);
            MessageStatus current = before;
            WebhookError failure = null;
            for (StatusUpdate update : fresh) {
                MessageStatus next = MessageStatus.parse(update.status())
                        .filter(MessageStatusRecorder.META_STATUSES::contains).orElse(null);
                if (next == null || current == null || !current.canAdvanceTo(next)) {
                    continue; // kept in the timeline; a late or unknown status changes nothing else
                }
                WebhookError error = next == MessageStatus.FAILED ? update.error() : null;
                failure = error != null ? error : failure;
                events.add(new EventOutbox.NewEvent(EventOutbox.MESSAGE_STATUS, target.message.id(),
                        target.message.recipient(), target.message.callbackUrl(), MessageStatusRecorder.statusEvent(
                                target.message, update, next, error, occurredAt(update, now))));
                current = next;
            }
            if (current != before) {
                moves.add(new Object[] { target.message.id(), current.value(), before.value(),
                        failure == null ? null : failure.code(), failure == null ? null : failure.title(),
                        failure == null ? null : failure.detail() });
            }
        }
        Uni<Void> afterwards = consequences;
        return moveAll(tx, moves, now).chain(() -> outbox.appendAll(tx, events)).chain(() -> afterwards);
    }

    private static Uni<Void> moveAll(SqlClient tx, List<Object[]> moves, Instant now) {
        if (moves.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery(MOVE)
                .execute(Tuple.tuple().addArrayOfUUID(moves.stream().map(m -> (UUID) m[0]).toArray(UUID[]::new))
                        .addArrayOfString(moves.stream().map(m -> (String) m[1]).toArray(String[]::new))
                        .addArrayOfString(moves.stream().map(m -> (String) m[2]).toArray(String[]::new))
                        .addArrayOfInteger(moves.stream().map(m -> (Integer) m[3]).toArray(Integer[]::new))
                        .addArrayOfString(moves.stream().map(m -> (String) m[4]).toArray(String[]::new))
                        .addArrayOfString(moves.stream().map(m -> (String) m[5]).toArray(String[]::new))
                        .addOffsetDateTime(now.atOffset(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    private Uni<Void> keepOrphans(SqlClient tx, List<StatusUpdate> kept, Instant now) {
        if (kept.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        kept.forEach(update -> metrics.status(update.status(), "orphaned"));
        return tx.preparedQuery(KEEP_ORPHANS)
                .execute(Tuple.tuple().addArrayOfString(kept.stream().map(StatusUpdate::wamid).toArray(String[]::new))
                        .addArrayOfString(kept.stream().map(StatusUpdate::status).toArray(String[]::new))
                        .addArrayOfOffsetDateTime(kept.stream().map(u -> occurredAt(u, now).atOffset(ZoneOffset.UTC))
                                .toArray(OffsetDateTime[]::new))
                        .addArrayOfString(kept.stream().map(u -> u.raw().toString()).toArray(String[]::new))
                        .addOffsetDateTime(now.atOffset(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    /** Statuses kept earlier for a wamid this batch has just recorded (found through our id): applied now. */
    private Uni<Void> applyKeptOrphans(SqlClient tx, Plan plan) {
        List<Target> recorded = plan.targets.values().stream().filter(t -> t.recordedWamid != null).toList();
        if (recorded.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("select distinct wamid from orphan_status where wamid = any($1)")
                .execute(Tuple.tuple().addArrayOfString(recorded.stream().map(t -> t.recordedWamid).toArray(String[]::new)))
                .chain(rows -> {
                    Set<String> waiting = new HashSet<>();
                    rows.forEach(row -> waiting.add(row.getString(0)));
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Target target : recorded) {
                        if (waiting.contains(target.recordedWamid)) {
                            chain = chain.chain(() -> orphans.applyOrphans(tx, target.message.id(), target.recordedWamid));
                        }
                    }
                    return chain;
                });
    }

    private static int rank(StatusUpdate update) {
        return MessageStatus.parse(update.status()).map(MessageStatus::rank).orElse(Integer.MAX_VALUE);
    }

    private static Instant occurredAt(StatusUpdate update, Instant now) {
        return update.timestamp() != null ? update.timestamp() : now;
    }

    private static String key(UUID messageId, String status) {
        return messageId + "/" + status;
    }

    /** One message of the batch: the statuses it gets (first copy of each) and the wamid it learns, if any. */
    private static final class Target {
        OutboundMessageRef message;
        String recordedWamid;
        final Map<String, StatusUpdate> updates = new LinkedHashMap<>();

        Target(OutboundMessageRef message) {
            this.message = message;
        }
    }

    /** Which message each status is about, decided in Java from one locking read. */
    private static final class Plan {
        final Map<UUID, Target> targets = new LinkedHashMap<>();
        final List<StatusUpdate> orphans = new ArrayList<>();
        /** Second copies inside the batch (Meta redelivered before we applied the first). */
        final List<StatusUpdate> duplicates = new ArrayList<>();

        void add(Target target, StatusUpdate update) {
            if (target.updates.putIfAbsent(update.status(), update) != null) {
                duplicates.add(update);
            }
        }

        static Plan of(List<StatusUpdate> updates, List<OutboundMessageRef> found) {
            Plan plan = new Plan();
            Map<String, Target> byWamid = new HashMap<>();
            for (OutboundMessageRef message : found) {
                Target target = new Target(message);
                plan.targets.put(message.id(), target);
                if (message.wamid() != null) {
                    byWamid.put(message.wamid(), target);
                }
            }
            List<StatusUpdate> unmatched = new ArrayList<>();
            for (StatusUpdate update : updates) {
                Target target = update.wamid() == null ? null : byWamid.get(update.wamid());
                if (target == null) {
                    UUID id = StatusUpdateHandler.uuidOrNull(update.bizOpaqueCallbackData());
                    target = id == null ? null : plan.targets.get(id);
                    if (target != null && target.message.wamid() == null && update.wamid() != null) {
                        // the crash-or-race case: Meta echoes our id before we recorded the wamid
                        target.message = target.message.withWamid(update.wamid());
                        target.recordedWamid = update.wamid();
                        byWamid.put(update.wamid(), target);
                    }
                }
                if (target == null) {
                    unmatched.add(update);
                } else {
                    plan.add(target, update);
                }
            }
            // A status that came before the one that taught us its wamid belongs to that message too.
            Set<String> kept = new HashSet<>();
            for (StatusUpdate update : unmatched) {
                Target target = update.wamid() == null ? null : byWamid.get(update.wamid());
                if (target != null) {
                    plan.add(target, update);
                } else if (update.wamid() == null) {
                    Log.warnf("Status '%s' matches no message and has no wamid: dropped", update.status());
                } else if (kept.add(update.wamid() + "/" + update.status())) {
                    plan.orphans.add(update);
                } else {
                    plan.duplicates.add(update);
                }
            }
            return plan;
        }
    }
}
