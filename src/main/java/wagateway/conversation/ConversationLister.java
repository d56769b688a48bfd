package wagateway.conversation;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Lists conversations by their last activity, newest first, without any write on the accept path: activity is
 * the later of {@code contact.last_activity_at} (the customer's last message) and the time of the conversation's
 * newest outbound message (from its UUIDv7 id).
 *
 * <p>
 * A conversation is a contact (issue 17): its inbound messages and the outbound messages it owns
 * ({@code outbound_message.contact_id}, V15), whichever identifier (phone, business-scoped user id, an old number)
 * they were addressed with. An outbound row without contact (written by the previous release, or sent before its
 * recipient ever wrote) belongs to the contact now holding its recipient, else to the recipient alone: SQL
 * functions {@code conversation_of} and {@code conversation_latest_outbound} (V15) say so, in one place.
 *
 * <p>
 * One SQL per page walks two indexes from the cursor and stops early: contacts by {@code last_activity_at}
 * (contact_activity) and outbound messages by id (the primary key), keeping only each conversation's newest. Each
 * walk takes page size + 1 candidates plus everything tied with its last one (same timestamp, or same
 * millisecond for ids), which is enough: a conversation left out of both walks has at least that many of strictly
 * later activity ahead of it. Each candidate's true activity is then computed with index probes and the page
 * sorted on (activity, key). A conversation with very many outbound messages in a row makes the outbound walk
 * skip its older ones one by one: the cost grows with the messages passed, not with the table.
 */
@ApplicationScoped
public class ConversationLister {

    /** A conversation's activity: its contact's last activity and its newest outbound. */
    private static final String ACTIVITY = "greatest((select k.last_activity_at from contact k where k.id = %1$s), "
            + "uuid7_time(conversation_latest_outbound(%1$s)))";

    private static final String SQL = """
            with a as (
                select c.id as key, c.last_activity_at as t from contact c
                where c.last_activity_at <= $1 and (%1$s, c.id) < ($1, $2)
                order by c.last_activity_at desc limit $3),
            a_ties as (
                select c.id as key from contact c
                where c.last_activity_at = (select min(t) from a having count(*) >= $3) and (%1$s, c.id) < ($1, $2)),
            b as (
                select o.id, v.key from outbound_message o,
                    lateral (select conversation_of(o.recipient, o.contact_id) as key) v
                where o.id < $4 and o.id = conversation_latest_outbound(v.key) and (%2$s, v.key) < ($1, $2)
                order by o.id desc limit $3),
            b_ties as (
                select v.key from outbound_message o, (select b.id as hi from b order by b.id limit 1) e,
                    lateral (select conversation_of(o.recipient, o.contact_id) as key) v
                where (select count(*) from b) >= $3 and o.id >= uuid7_floor(e.hi) and o.id < e.hi
                    and o.id = conversation_latest_outbound(v.key) and (%2$s, v.key) < ($1, $2)),
            conversations as (
                select key from a union select key from a_ties union select key from b union select key from b_ties)
            select p.key, c.id as contact_id, coalesce(c.phone, c.user_id, p.key) as phone, c.user_id, c.username,
                c.profile_name, c.window_open_until, %3$s as activity,
                (select count(*) from inbound_message u where u.contact_id = c.id and u.read_at is null) as unread,
                m.*
            from conversations p
            left join contact c on c.id = p.key
            left join lateral (select * from ((%4$s) union all (%5$s)) l order by l.at desc, l.id desc limit 1) m on true
            order by activity desc, p.key desc limit $3"""
            .formatted(
                    ACTIVITY.formatted("c.id"),
                    ACTIVITY.formatted("v.key"),
                    ACTIVITY.formatted("p.key"),
                    ThreadReader.OUTBOUND.replace("recipient = %1$s", "id = %1$s")
                            .formatted("conversation_latest_outbound(p.key)", "", "1"),
                    ThreadReader.INBOUND.replace("from_phone = %1$s", "contact_id = %1$s").formatted("c.id", "", "1"));

    private final Pool pool;
    private final Clock clock;

    ConversationLister(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** @param after the cursor of the previous page (activity, conversation key), null for the newest */
    public Uni<ConversationPage> page(Cursor after, int limit) {
        Instant before = after == null ? null : after.at();
        Tuple params = Tuple.tuple()
                .addValue(before == null ? OffsetDateTime.MAX : before.atOffset(ZoneOffset.UTC))
                .addString(after == null ? "" : after.key())
                .addInteger(limit + 1)
                .addUUID(before == null ? new UUID(-1L, -1L) : Uuid7Bounds.atOrBefore(before));
        // The planner prices the correlated probes as if they scanned, which crosses jit_above_cost: JIT
        // compilation then costs ~2 s for a query that runs in ~5 ms (measured on 200k messages, 2k contacts).
        return pool.withTransaction(tx -> tx.query("set local jit = off").execute()
                .chain(() -> tx.preparedQuery(SQL).execute(params))).map(rows -> {
                    List<ConversationView> out = new ArrayList<>();
                    List<String> keys = new ArrayList<>();
                    Instant now = clock.instant();
                    rows.forEach(row -> {
                        out.add(view(row, now));
                        keys.add(row.getString("key"));
                    });
                    boolean more = out.size() > limit;
                    List<ConversationView> page = more ? out.subList(0, limit) : out;
                    ConversationView last = more ? page.get(page.size() - 1) : null;
                    // the cursor pages by conversation key: the contact id, else the recipient no contact holds
                    return new ConversationPage(page,
                            last == null ? null : new Cursor(last.lastActivityAt(), keys.get(limit - 1)).encode());
                });
    }

    private static ConversationView view(Row row, Instant now) {
        Instant openUntil = ThreadReader.instant(row, "window_open_until");
        ThreadItem lastMessage = row.getUUID("id") == null ? null : ThreadReader.item(row);
        // phone: the customer's phone, else their user id (a username), else the identifier messages went to
        return new ConversationView(row.getString("phone"), row.getString("profile_name"),
                ThreadReader.instant(row, "activity"), lastMessage, row.getLong("unread"), openUntil,
                openUntil != null && openUntil.isAfter(now), row.getString("contact_id"), row.getString("user_id"),
                row.getString("username"));
    }
}
