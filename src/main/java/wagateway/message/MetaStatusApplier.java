package wagateway.message;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.cloudapi.ErrorClassifier;
import wagateway.cloudapi.MetaErrorCodes;
import wagateway.cloudapi.webhook.MetaJson;
import wagateway.cloudapi.webhook.StatusUpdate;
import wagateway.cloudapi.webhook.WebhookError;
import wagateway.support.Ids;
import wagateway.support.Times;

import static wagateway.support.JsonFields.putIfPresent;

/**
 * Applies the statuses Meta reports for our messages (status webhooks, and statuses kept until their message
 * was known) inside the caller's transaction, with a fixed number of set-based statements whatever their
 * number: one locking read of the messages, one timeline insert, one status update, one event append, one
 * orphan insert. Three webhooks per message made one transaction per status the end-to-end bottleneck
 * (docs/performance.md).
 * <p>
 * A message is found by wamid, else by {@code biz_opaque_callback_data} (our id, spec §3.7: it matches even
 * when a crash lost the wamid, which is then recorded); each (message, status) enters the timeline once; the
 * status moves forward only ({@link MessageStatus#canAdvanceTo}); one {@code message.status} event per move;
 * unknown wamids are kept in {@code orphan_status} until their message shows up ({@link #applyKept}). The new
 * statuses of one message are walked in rank order, so a {@code read} that overtook its {@code delivered}
 * still reports both moves, once each.
 */
@ApplicationScoped
public class MetaStatusApplier {

    /** Statuses Meta sends for our messages; anything else is kept in the timeline only. */
    static final Set<MessageStatus> META_STATUSES = Set.of(MessageStatus.SENT, MessageStatus.DELIVERED,
            MessageStatus.READ, MessageStatus.PLAYED, MessageStatus.FAILED);

    private static final String LOCK = "select " + OutboundMessageRef.COLUMNS + " from outbound_message "
            + "where wamid = any($1) or id = any($2) order by id for no key update";

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

    private static final String TAKE_KEPT = "delete from orphan_status where wamid = any($1) "
            + "returning id, occurred_at, payload";

    private final MessageTimeline timeline;
    private final FailureConsequences consequences;
    private final MeterRegistry metrics;
    private final ObjectMapper mapper;
    private final Clock clock;

    MetaStatusApplier(MessageTimeline timeline, FailureConsequences consequences, MeterRegistry metrics,
            ObjectMapper mapper, Clock clock) {
        this.timeline = timeline;
        this.consequences = consequences;
        this.metrics = metrics;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Applies {@code updates} (in the order Meta sent them) inside {@code tx}. */
    public Uni<Void> apply(SqlClient tx, List<StatusUpdate> updates) {
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
            UUID id = Ids.parse(update.bizOpaqueCallbackData());
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

    /**
     * Statuses Meta reported before we knew {@code wamids}, now recorded by the send outcome or a status
     * matched by our id: taken out of {@code orphan_status} with one statement and applied together, in Meta's
     * order, inside the caller's transaction.
     */
    public Uni<Void> applyKept(SqlClient tx, List<String> wamids) {
        if (wamids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery(TAKE_KEPT).execute(Tuple.tuple().addArrayOfString(wamids.toArray(String[]::new)))
                .chain(rows -> {
                    List<Kept> kept = new ArrayList<>();
                    rows.forEach(row -> kept.add(new Kept(row.getLong("id"),
                            row.getOffsetDateTime("occurred_at").toInstant(), row.getJsonObject("payload"))));
                    if (kept.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    kept.sort(Comparator.comparing(Kept::occurredAt).thenComparing(Kept::id));
                    return apply(tx, kept.stream().map(k -> k.update(mapper)).toList());
                });
    }

    private Uni<Void> apply(SqlClient tx, Plan plan) {
        Instant now = clock.instant();
        plan.duplicates.forEach(update -> count(update.status(), "duplicate"));
        return recordWamids(tx, plan)
                .chain(() -> timeline.reported(tx, plan.entries(now), now))
                .chain(inserted -> move(tx, plan, inserted, now))
                .chain(() -> keepOrphans(tx, plan.orphans, now))
                .chain(() -> applyKept(tx, plan.targets.values().stream().filter(t -> t.recordedWamid != null)
                        .map(t -> t.recordedWamid).toList()));
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

    /** Walks each message's new statuses in rank order: moves, events and the consequences of failures. */
    private Uni<Void> move(SqlClient tx, Plan plan, Set<String> inserted, Instant now) {
        List<Move> moves = new ArrayList<>();
        List<StatusChange> changes = new ArrayList<>();
        List<FailureConsequences.Failure> failures = new ArrayList<>();
        for (Target target : plan.targets.values()) {
            OutboundMessageRef message = target.message;
            List<StatusUpdate> fresh = new ArrayList<>();
            for (StatusUpdate update : target.updates.values()) {
                boolean isNew = inserted.contains(MessageTimeline.key(message.id(), update.status()));
                count(update.status(), isNew ? "applied" : "duplicate");
                if (isNew) {
                    fresh.add(update);
                    WebhookError error = update.error();
                    if ("failed".equals(update.status()) && error != null && FailureConsequences.matters(error.code())) {
                        failures.add(new FailureConsequences.Failure(message.id(), message.recipient(),
                                message.sender(), message.callbackUrl(), error.code(), update.wamid(),
                                occurredAt(update, now),
                                error.code() == MetaErrorCodes.REENGAGEMENT && message.fallbackUnused()));
                    }
                }
            }
            fresh.sort(Comparator.comparingInt(MetaStatusApplier::rank));
            MessageStatus before = MessageStatus.parse(message.status()).orElse(null);
            MessageStatus current = before;
            WebhookError failure = null;
            for (StatusUpdate update : fresh) {
                MessageStatus next = MessageStatus.parse(update.status()).filter(META_STATUSES::contains).orElse(null);
                if (next == null || current == null || !current.canAdvanceTo(next)) {
                    continue; // kept in the timeline; a late or unknown status changes nothing else
                }
                WebhookError error = next == MessageStatus.FAILED ? update.error() : null;
                failure = error != null ? error : failure;
                changes.add(change(message, update, next, error, occurredAt(update, now)));
                current = next;
            }
            if (current != before) {
                moves.add(new Move(message.id(), current.value(), before.value(), failure));
            }
        }
        return moveAll(tx, moves, now).chain(() -> timeline.announce(tx, changes))
                .chain(() -> consequences.apply(tx, failures, now));
    }

    /** The change one reported status makes, as the business is told it. */
    private static StatusChange change(OutboundMessageRef message, StatusUpdate update, MessageStatus status,
            WebhookError error, Instant occurredAt) {
        StatusChange.Fallback fallback = StatusChange.Fallback.NONE;
        if (error != null && error.code() != null) {
            if (error.code() == MetaErrorCodes.REENGAGEMENT && message.fallbackUnused()) {
                // its fallback template is queued (FailureConsequences): WhatsApp still reaches the customer
                fallback = StatusChange.Fallback.TEMPLATE_QUEUED;
            } else if (ErrorClassifier.fallbackSuggested(error.code())) {
                fallback = StatusChange.Fallback.SUGGESTED;
            }
        }
        JsonObject pricing = MetaJson.vertx(update.pricing()) instanceof JsonObject json ? json : null;
        JsonObject conversation = MetaJson.vertx(update.conversation()) instanceof JsonObject json ? json : null;
        StatusChange.Reported reported = update.recipientUserId() == null && pricing == null && conversation == null
                ? null
                : new StatusChange.Reported(update.recipientUserId(), pricing, conversation);
        return new StatusChange(message.id(), message.recipient(), message.sender(), status, null,
                error == null ? null : new StatusChange.Error(error.code(), error.title(), error.detail()),
                update.wamid() != null ? update.wamid() : message.wamid(), message.callbackUrl(), message.metadata(),
                fallback, null, reported, occurredAt);
    }

    private static Uni<Void> moveAll(SqlClient tx, List<Move> moves, Instant now) {
        if (moves.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery(MOVE)
                .execute(Tuple.tuple().addArrayOfUUID(moves.stream().map(Move::id).toArray(UUID[]::new))
                        .addArrayOfString(moves.stream().map(Move::status).toArray(String[]::new))
                        .addArrayOfString(moves.stream().map(Move::previous).toArray(String[]::new))
                        .addArrayOfInteger(moves.stream().map(m -> m.error() == null ? null : m.error().code())
                                .toArray(Integer[]::new))
                        .addArrayOfString(moves.stream().map(m -> m.error() == null ? null : m.error().title())
                                .toArray(String[]::new))
                        .addArrayOfString(moves.stream().map(m -> m.error() == null ? null : m.error().detail())
                                .toArray(String[]::new))
                        .addOffsetDateTime(Times.utc(now)))
                .replaceWithVoid();
    }

    private Uni<Void> keepOrphans(SqlClient tx, List<StatusUpdate> kept, Instant now) {
        if (kept.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        kept.forEach(update -> count(update.status(), "orphaned"));
        return tx.preparedQuery(KEEP_ORPHANS)
                .execute(Tuple.tuple().addArrayOfString(kept.stream().map(StatusUpdate::wamid).toArray(String[]::new))
                        .addArrayOfString(kept.stream().map(StatusUpdate::status).toArray(String[]::new))
                        .addArrayOfOffsetDateTime(kept.stream().map(u -> Times.utc(occurredAt(u, now)))
                                .toArray(OffsetDateTime[]::new))
                        .addArrayOfString(kept.stream().map(u -> u.raw().toString()).toArray(String[]::new))
                        .addOffsetDateTime(Times.utc(now)))
                .replaceWithVoid();
    }

    /** @param outcome applied | duplicate | orphaned (unknown wamid, kept for later) */
    private void count(String status, String outcome) {
        boolean known = MessageStatus.parse(status).filter(META_STATUSES::contains).isPresent();
        metrics.counter("wagateway.webhooks.statuses", "status", known ? status : "other", "outcome", outcome)
                .increment();
    }

    /** Pricing, conversation and the ids Meta echoed: kept in the timeline entry. */
    static JsonObject details(StatusUpdate update) {
        JsonObject details = new JsonObject();
        putIfPresent(details, "pricing", MetaJson.vertx(update.pricing()));
        putIfPresent(details, "conversation", MetaJson.vertx(update.conversation()));
        putIfPresent(details, "recipientUserId", update.recipientUserId());
        putIfPresent(details, "bizOpaqueCallbackData", update.bizOpaqueCallbackData());
        if (update.errors().size() > 1) {
            details.put("errors", MetaJson.vertx(update.raw().get("errors")));
        }
        return details.isEmpty() ? null : details;
    }

    private static int rank(StatusUpdate update) {
        return MessageStatus.parse(update.status()).map(MessageStatus::rank).orElse(Integer.MAX_VALUE);
    }

    private static Instant occurredAt(StatusUpdate update, Instant now) {
        return update.timestamp() != null ? update.timestamp() : now;
    }

    private record Move(UUID id, String status, String previous, WebhookError error) {
    }

    private record Kept(long id, Instant occurredAt, JsonObject payload) {
        StatusUpdate update(ObjectMapper mapper) {
            try {
                return StatusUpdate.of((ObjectNode) mapper.readTree(payload.encode()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Unreadable kept status " + id, e);
            }
        }
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

        /** The timeline entries, in the order the statuses came. */
        List<MessageTimeline.ReportedEntry> entries(Instant now) {
            List<MessageTimeline.ReportedEntry> entries = new ArrayList<>();
            for (Target target : targets.values()) {
                for (StatusUpdate update : target.updates.values()) {
                    WebhookError error = update.error();
                    entries.add(new MessageTimeline.ReportedEntry(target.message.id(), update.status(),
                            occurredAt(update, now),
                            error == null ? null : new StatusChange.Error(error.code(), error.title(), error.detail()),
                            details(update)));
                }
            }
            return entries;
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
                    UUID id = Ids.parse(update.bizOpaqueCallbackData());
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
