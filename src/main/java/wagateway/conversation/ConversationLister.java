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
 * the later of {@code contact.last_activity_at} (the customer's last message) and the time of the newest
 * outbound message to the phone (from its UUIDv7 id).
 *
 * <p>
 * One SQL per page walks two indexes from the cursor and stops early: contacts by
 * {@code last_activity_at} (contact_activity) and outbound messages by id (the primary key), keeping only
 * each recipient's newest. Each walk takes page size + 1 candidates plus everything tied with its last one
 * (same timestamp, or same millisecond for ids), which is enough: a phone left out of both walks has at least
 * that many phones of strictly later activity ahead of it. Each candidate's true activity is then computed
 * with index probes and the page sorted on (activity, phone). A recipient with very many outbound messages in
 * a row makes the outbound walk skip its older ones one by one: the cost grows with the messages passed, not
 * with the table.
 */
@ApplicationScoped
public class ConversationLister {

    /** The newest outbound id of a phone, via outbound_message (recipient, id) (PostgreSQL 15 has no max(uuid)). */
    private static final String LATEST_OUT = "(select x.id from outbound_message x where x.recipient = %s order by x.id desc limit 1)";
    /** A phone's activity from its contact row's last activity and its newest outbound. */
    private static final String ACTIVITY = "greatest(%s, uuid7_time(" + LATEST_OUT + "))";

    private static final String SQL = """
            with a as (
                select coalesce(c.phone, c.user_id) as phone, c.last_activity_at as t from contact c
                where c.last_activity_at <= $1 and (%1$s, coalesce(c.phone, c.user_id)) < ($1, $2)
                order by c.last_activity_at desc limit $3),
            a_ties as (
                select coalesce(c.phone, c.user_id) as phone from contact c
                where c.last_activity_at = (select min(t) from a having count(*) >= $3)
                    and (%1$s, coalesce(c.phone, c.user_id)) < ($1, $2)),
            b as (
                select o.id, o.recipient from outbound_message o
                where o.id < $4 and o.id = %2$s and (%3$s, o.recipient) < ($1, $2)
                order by o.id desc limit $3),
            b_ties as (
                select o.recipient from outbound_message o, (select b.id as hi from b order by b.id limit 1) e
                where (select count(*) from b) >= $3 and o.id >= uuid7_floor(e.hi) and o.id < e.hi and o.id = %2$s and (%3$s, o.recipient) < ($1, $2)),
            phones as (
                select phone from a union select phone from a_ties union select recipient from b
                union select recipient from b_ties)
            select p.phone, c.id as contact_id, c.phone as contact_phone, c.user_id, c.username, c.profile_name,
                c.window_open_until, %4$s as activity,
                (select count(*) from inbound_message u where (u.from_phone = p.phone
                    or c.phone is null and u.contact_id = c.id) and u.read_at is null) as unread,
                m.*
            from phones p
            left join contact c on c.phone = p.phone or c.phone is null and c.user_id = p.phone
            left join lateral (select * from ((%5$s) union all (%6$s)) l order by l.at desc, l.id desc limit 1) m on true
            order by activity desc, p.phone desc limit $3"""
            .formatted(
                    ACTIVITY.formatted("c.last_activity_at", "coalesce(c.phone, c.user_id)"),
                    LATEST_OUT.formatted("o.recipient"),
                    ACTIVITY.formatted("(select k.last_activity_at from contact k where k.phone = o.recipient "
                            + "or k.phone is null and k.user_id = o.recipient limit 1)", "o.recipient"),
                    ACTIVITY.formatted("c.last_activity_at", "p.phone"),
                    ThreadReader.OUTBOUND.formatted("p.phone", "", "1"),
                    // a customer without phone (a username): their messages by contact
                    ThreadReader.INBOUND.formatted("p.phone or (c.phone is null and contact_id = c.id)", "", "1"));

    private final Pool pool;
    private final Clock clock;

    ConversationLister(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** @param after the cursor of the previous page (activity, phone), null for the newest */
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
                    Instant now = clock.instant();
                    rows.forEach(row -> out.add(view(row, now)));
                    boolean more = out.size() > limit;
                    List<ConversationView> page = more ? out.subList(0, limit) : out;
                    ConversationView last = more ? page.get(page.size() - 1) : null;
                    return new ConversationPage(page,
                            last == null ? null : new Cursor(last.lastActivityAt(), last.phone()).encode());
                });
    }

    private static ConversationView view(Row row, Instant now) {
        Instant openUntil = ThreadReader.instant(row, "window_open_until");
        ThreadItem lastMessage = row.getUUID("id") == null ? null : ThreadReader.item(row);
        // the key (phone, else the user id of a customer without phone) pages; phone is the customer's phone
        return new ConversationView(row.getString("phone"), row.getString("profile_name"),
                ThreadReader.instant(row, "activity"), lastMessage, row.getLong("unread"), openUntil,
                openUntil != null && openUntil.isAfter(now), row.getString("contact_id"), row.getString("user_id"),
                row.getString("username"));
    }
}
