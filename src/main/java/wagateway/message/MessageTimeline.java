package wagateway.message;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.event.EventOutbox;
import wagateway.support.Times;

/**
 * The one writer of {@code message_event} (a message's timeline) and of the {@code message.status} events,
 * inside the caller's transaction. Each status appears once per timeline, whichever source reported it first:
 * a {@code sent} Meta reports after the Cloud API's answer recorded it is not written twice (the callers hold
 * the message's row lock, so the two cannot interleave). Only entries that are new move anything.
 */
@ApplicationScoped
public class MessageTimeline {

    private static final String GATEWAY = """
            insert into message_event (message_id, status, source, occurred_at, error_code, error_title,
                error_detail, details)
            select $1, $2, 'gateway', $3, $4, $5, $6, $7
            where not exists (select 1 from message_event e where e.message_id = $1 and e.status = $2)
            returning message_id, status""";

    private static final String REPORTED = """
            insert into message_event (message_id, status, source, occurred_at, recorded_at, error_code, error_title,
                error_detail, details)
            select u.message_id, u.status, 'webhook', u.occurred_at, $8, u.error_code, u.error_title, u.error_detail,
                u.details::jsonb
            from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::text[], $7::text[])
                as u(message_id, status, occurred_at, error_code, error_title, error_detail, details)
            where not exists (select 1 from message_event e where e.message_id = u.message_id and e.status = u.status)
            on conflict (message_id, status) where source = 'webhook' do nothing
            returning message_id, status""";

    /** One status Meta reported for one of our messages, as the timeline keeps it. */
    record ReportedEntry(UUID messageId, String status, Instant occurredAt, StatusChange.Error error,
            JsonObject details) {
    }

    private final EventOutbox outbox;

    MessageTimeline(EventOutbox outbox) {
        this.outbox = outbox;
    }

    /** Changes the gateway made: a timeline entry and an event each, two pipelined statements in all. */
    Uni<Void> changed(SqlClient tx, List<StatusChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = new ArrayList<>(changes.size());
        for (StatusChange change : changes) {
            StatusChange.Error error = change.error() == null ? new StatusChange.Error(null, null, null)
                    : change.error();
            JsonObject details = change.reason() == null ? null : new JsonObject().put("reason", change.reason());
            rows.add(Tuple.tuple().addUUID(change.messageId()).addString(change.status().value())
                    .addOffsetDateTime(Times.utc(change.at())).addInteger(error.code()).addString(error.title())
                    .addString(error.detail()).addValue(details));
        }
        // a status Meta already reported (its webhook overtook the Cloud API's answer) is neither written nor
        // announced again: the business hears of each status once
        return tx.preparedQuery(GATEWAY).executeBatch(rows).chain(result -> {
            Set<String> inserted = new HashSet<>();
            for (RowSet<Row> set = result; set != null; set = set.next()) {
                for (Row row : set) {
                    inserted.add(key(row.getUUID("message_id"), row.getString("status")));
                }
            }
            return announce(tx, changes.stream()
                    .filter(c -> inserted.contains(key(c.messageId(), c.status().value()))).toList());
        });
    }

    /**
     * Statuses Meta reported, set-based (one statement, whatever their number).
     *
     * @return the keys ({@link #key}) of the entries that are new: a copy already in the timeline is not
     */
    Uni<Set<String>> reported(SqlClient tx, List<ReportedEntry> entries, Instant now) {
        if (entries.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        int n = entries.size();
        UUID[] ids = new UUID[n];
        String[] statuses = new String[n], titles = new String[n], detailTexts = new String[n], details = new String[n];
        OffsetDateTime[] occurred = new OffsetDateTime[n];
        Integer[] codes = new Integer[n];
        for (int i = 0; i < n; i++) {
            ReportedEntry entry = entries.get(i);
            ids[i] = entry.messageId();
            statuses[i] = entry.status();
            occurred[i] = Times.utc(entry.occurredAt());
            codes[i] = entry.error() == null ? null : entry.error().code();
            titles[i] = entry.error() == null ? null : entry.error().title();
            detailTexts[i] = entry.error() == null ? null : entry.error().detail();
            details[i] = entry.details() == null ? null : entry.details().encode();
        }
        return tx.preparedQuery(REPORTED)
                .execute(Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(statuses)
                        .addArrayOfOffsetDateTime(occurred).addArrayOfInteger(codes).addArrayOfString(titles)
                        .addArrayOfString(detailTexts).addArrayOfString(details).addOffsetDateTime(Times.utc(now)))
                .map(rows -> {
                    Set<String> inserted = new HashSet<>();
                    for (Row row : rows) {
                        inserted.add(key(row.getUUID("message_id"), row.getString("status")));
                    }
                    return inserted;
                });
    }

    /** Tells the business: one {@code message.status} event per change, to the message's callback URL. */
    Uni<Void> announce(SqlClient tx, List<StatusChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<EventOutbox.NewEvent> events = new ArrayList<>(changes.size());
        for (StatusChange change : changes) {
            events.add(new EventOutbox.NewEvent(EventOutbox.MESSAGE_STATUS, change.messageId(), change.recipient(),
                    change.callbackUrl(), StatusEvents.payload(change)));
        }
        return outbox.appendAll(tx, events);
    }

    static String key(UUID messageId, String status) {
        return messageId + "/" + status;
    }
}
