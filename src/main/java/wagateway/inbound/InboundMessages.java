package wagateway.inbound;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.support.Times;

/**
 * The one writer of {@code inbound_message}: customer messages stored from webhooks (once per wamid), their read
 * state when the business asks for a read receipt, and the outcome of sending that receipt. Read receipts are
 * claimed by pushing a row's due time one lease ahead instead of holding a lock across the Cloud API call: if a
 * replica dies mid-call the row simply falls due again (at least once; a read receipt sent twice is harmless at
 * Meta).
 */
@ApplicationScoped
public class InboundMessages {

    /** Every message of a batch in one statement; a wamid stored before (a redelivery) is left alone. */
    private static final String STORE = """
            insert into inbound_message (id, wamid, phone_number_id, sender, from_phone, from_user_id, type, content,
                context_wamid, free_entry_point, sent_at, received_at)
            select u.id, u.wamid, u.phone_number_id, u.sender, u.from_phone, u.from_user_id, u.type, u.content::jsonb,
                u.context_wamid, u.free_entry_point, u.sent_at, $12
            from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::bool[], $11::timestamptz[])
                as u(id, wamid, phone_number_id, sender, from_phone, from_user_id, type, content, context_wamid,
                    free_entry_point, sent_at)
            on conflict (wamid) do nothing
            returning id""";

    /** Mark-read-on-arrival for messages just stored: only a message never asked about changes. */
    private static final String REQUEST_READ_ALL = "update inbound_message set read_state = 'pending', "
            + "read_requested_at = $2, read_typing = $3, read_next_attempt_at = $2 "
            + "where id = any($1) and read_state is null and sender is not null";

    /** Only a message never asked about changes: a second request (or one after mark-on-arrival) is a no-op. */
    private static final String REQUEST_READ = "update inbound_message set read_state = 'pending', read_requested_at = $3, "
            + "read_typing = $4, read_next_attempt_at = $3 "
            + "where (id = $1 or wamid = $2) and read_state is null and sender is not null "
            + "returning " + ReadState.COLUMNS;

    private static final String READ_STATE = "select " + ReadState.COLUMNS + " from inbound_message "
            + "where id = $1 or wamid = $2";

    private static final String CLAIM_RECEIPTS = "with due as (select id from inbound_message "
            + "where sender = $1 and read_state = 'pending' and read_next_attempt_at <= $2 "
            + "order by read_next_attempt_at, id limit $3 for update skip locked) "
            + "update inbound_message m set read_next_attempt_at = $4 from due where m.id = due.id "
            + "returning m.id, m.wamid, m.from_phone, m.sender, m.read_typing, m.read_attempts, m.read_requested_at";

    /** Only a row still pending changes: the first record wins if two replicas ever raced on one. */
    private static final String RECORD_RECEIPT = "update inbound_message set read_state = $2, "
            + "read_at = case when $2 = 'sent' then $3 else read_at end, read_attempts = read_attempts + $4, "
            + "read_next_attempt_at = $5, read_error_code = $6, read_error_title = $7 "
            + "where id = $1 and read_state = 'pending' returning id";

    /**
     * A customer message as a webhook brought it.
     *
     * @param id our id for it, should it be new
     * @param content the whole Cloud API message object, as JSON text
     */
    public record NewInbound(UUID id, String wamid, String phoneNumberId, String sender, String fromPhone,
            String fromUserId, String type, String content, String contextWamid, boolean freeEntryPoint,
            Instant sentAt) {
    }

    /** A pending read receipt, claimed for sending. */
    public record DueReceipt(UUID id, String wamid, String phone, String sender, boolean typing, int attempts,
            Instant requestedAt) {
    }

    /**
     * How a read receipt ended, or when it is due again.
     *
     * @param state {@code sent}, {@code failed}, or {@code pending} (a retry at {@code nextAttemptAt})
     * @param countAttempt whether the call reached the API
     */
    public record ReceiptResult(UUID id, String state, boolean countAttempt, Instant nextAttemptAt, Integer errorCode,
            String errorTitle) {
    }

    private final Pool pool;

    InboundMessages(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stores a batch of customer messages in one statement, each once per wamid (the wamids of one call are
     * distinct). Rows go in wamid order, so two transactions storing the same redelivered messages wait for each
     * other instead of deadlocking.
     *
     * @return the ids of the messages stored now; a message missing from it was stored before (a redelivery)
     */
    public Uni<Set<UUID>> storeAll(SqlClient tx, List<NewInbound> messages, Instant now) {
        if (messages.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        List<NewInbound> byWamid = new ArrayList<>(messages);
        byWamid.sort(Comparator.comparing(NewInbound::wamid));
        int n = byWamid.size();
        UUID[] ids = new UUID[n];
        String[] wamids = new String[n];
        String[] phoneNumberIds = new String[n];
        String[] senders = new String[n];
        String[] phones = new String[n];
        String[] userIds = new String[n];
        String[] types = new String[n];
        String[] contents = new String[n];
        String[] contexts = new String[n];
        Boolean[] freeEntryPoints = new Boolean[n];
        OffsetDateTime[] sentAts = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            NewInbound m = byWamid.get(i);
            ids[i] = m.id();
            wamids[i] = m.wamid();
            phoneNumberIds[i] = m.phoneNumberId();
            senders[i] = m.sender();
            phones[i] = m.fromPhone();
            userIds[i] = m.fromUserId();
            types[i] = m.type();
            contents[i] = m.content();
            contexts[i] = m.contextWamid();
            freeEntryPoints[i] = m.freeEntryPoint();
            sentAts[i] = Times.utc(m.sentAt());
        }
        return tx.preparedQuery(STORE).execute(Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(wamids)
                .addArrayOfString(phoneNumberIds).addArrayOfString(senders).addArrayOfString(phones)
                .addArrayOfString(userIds).addArrayOfString(types).addArrayOfString(contents)
                .addArrayOfString(contexts).addArrayOfBoolean(freeEntryPoints).addArrayOfOffsetDateTime(sentAts)
                .addOffsetDateTime(Times.utc(now)))
                .map(rows -> {
                    Set<UUID> stored = new HashSet<>();
                    rows.forEach(row -> stored.add(row.getUUID("id")));
                    return stored;
                });
    }

    /**
     * The contact (person) each new message came from, once the webhook's identifiers are resolved: the thread
     * follows the contact when the customer changes number or user id. One statement for the batch.
     */
    public Uni<Void> assignContacts(SqlClient tx, List<UUID> ids, List<String> contactIds) {
        return assignContacts(tx, ids, contactIds, Map.of());
    }

    /**
     * {@link #assignContacts(SqlClient, List, List)}, and the messages of contacts merged into another (the same
     * person) move to it.
     */
    public Uni<Void> assignContacts(SqlClient tx, List<UUID> ids, List<String> contactIds, Map<String, String> merged) {
        Uni<Void> moved = merged.isEmpty() ? Uni.createFrom().voidItem()
                : tx.preparedQuery("update inbound_message i set contact_id = m.into_id "
                        + "from unnest($1::text[], $2::text[]) as m(from_id, into_id) where i.contact_id = m.from_id")
                        .execute(Tuple.of(merged.keySet().toArray(String[]::new), merged.values().toArray(String[]::new)))
                        .replaceWithVoid();
        if (ids.isEmpty()) {
            return moved;
        }
        return moved.chain(() -> tx.preparedQuery("update inbound_message m set contact_id = u.contact_id "
                + "from unnest($1::uuid[], $2::text[]) as u(id, contact_id) where m.id = u.id")
                .execute(Tuple.of(ids.toArray(UUID[]::new), contactIds.toArray(String[]::new))).replaceWithVoid());
    }

    /**
     * Mark-read-on-arrival: asks for the read receipts of messages just stored (those that came to a configured
     * sender), inside the caller's transaction.
     *
     * @return how many were asked for
     */
    public Uni<Integer> requestReadAll(SqlClient tx, List<UUID> ids, boolean typing, Instant now) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return tx.preparedQuery(REQUEST_READ_ALL).execute(Tuple.tuple().addArrayOfUUID(ids.toArray(UUID[]::new))
                .addOffsetDateTime(Times.utc(now)).addBoolean(typing))
                .map(RowSet::rowCount);
    }

    /**
     * Asks for the read receipt of a message found by our id or its wamid, once.
     *
     * @return its read state when this request is the one that asked; null when nothing changed
     */
    public Uni<ReadState> requestRead(SqlClient client, UUID id, String wamid, boolean typing, Instant now) {
        return client.preparedQuery(REQUEST_READ)
                .execute(Tuple.tuple().addUUID(id).addString(wamid).addOffsetDateTime(Times.utc(now)).addBoolean(typing))
                .map(InboundMessages::firstState);
    }

    /** Asks through the pool (its own statement). */
    public Uni<ReadState> requestRead(UUID id, String wamid, boolean typing, Instant now) {
        return requestRead(pool, id, wamid, typing, now);
    }

    /** The read state of a message found by our id or its wamid; null when there is none. */
    public Uni<ReadState> readState(UUID id, String wamid) {
        return pool.preparedQuery(READ_STATE).execute(Tuple.tuple().addUUID(id).addString(wamid))
                .map(InboundMessages::firstState);
    }

    /** Takes up to {@code limit} due read receipts of one sender, oldest request first, for {@code lease}. */
    /** Read receipts of these senders due at {@code now} (a drain run waits for none before it exits). */
    public Uni<Long> receiptsDue(List<String> senders, Instant now) {
        return pool.preparedQuery("select count(*) from inbound_message where sender = any($1) "
                + "and read_state = 'pending' and read_next_attempt_at <= $2")
                .execute(Tuple.of(senders.toArray(String[]::new), Times.utc(now)))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<List<DueReceipt>> claimReceipts(String sender, int limit, Instant now, Duration lease) {
        if (limit <= 0) {
            return Uni.createFrom().item(List.of());
        }
        return pool.withTransaction(tx -> tx.preparedQuery(CLAIM_RECEIPTS)
                .execute(Tuple.of(sender, Times.utc(now), limit, Times.utc(now.plus(lease)))))
                .map(rows -> {
                    List<DueReceipt> claimed = new ArrayList<>();
                    rows.forEach(row -> claimed.add(new DueReceipt(row.getUUID("id"), row.getString("wamid"),
                            row.getString("from_phone"), row.getString("sender"), row.getBoolean("read_typing"),
                            row.getInteger("read_attempts"), Times.instant(row.getOffsetDateTime("read_requested_at")))));
                    return claimed;
                });
    }

    /**
     * Records read-receipt results inside the caller's transaction.
     *
     * @return per result, in order, whether it changed its row (a row no longer pending is left alone)
     */
    public Uni<boolean[]> recordReceipts(SqlClient tx, List<ReceiptResult> results, Instant now) {
        List<Tuple> updates = new ArrayList<>(results.size());
        for (ReceiptResult r : results) {
            updates.add(Tuple.tuple().addUUID(r.id()).addString(r.state())
                    .addOffsetDateTime("sent".equals(r.state()) ? Times.utc(now) : null)
                    .addInteger(r.countAttempt() ? 1 : 0).addOffsetDateTime(Times.utc(r.nextAttemptAt()))
                    .addInteger(r.errorCode()).addString(r.errorTitle()));
        }
        return tx.preparedQuery(RECORD_RECEIPT).executeBatch(updates).map(first -> {
            boolean[] changed = new boolean[results.size()];
            RowSet<Row> result = first;
            for (int i = 0; i < changed.length; i++) {
                changed[i] = result.rowCount() > 0;
                result = result.next();
            }
            return changed;
        });
    }

    private static ReadState firstState(RowSet<Row> rows) {
        return rows.iterator().hasNext() ? ReadState.of(rows.iterator().next()) : null;
    }
}
