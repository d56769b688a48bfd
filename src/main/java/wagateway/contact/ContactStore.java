package wagateway.contact;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.support.Times;

/**
 * What the webhooks teach us about a contact, written inside the caller's transaction: who they are (phone,
 * business-scoped user id, profile name) and their customer-service window (spec §3.2).
 */
@ApplicationScoped
public class ContactStore {

    /**
     * The window only ever grows from an inbound message ({@code greatest} ignores nulls, and a late or
     * duplicate message cannot shorten it). The free-entry-point flag follows whichever window lasts longest.
     */
    private static final String RECORD_INBOUND = """
            insert into contact as c (phone, user_id, profile_name, last_inbound_at, window_open_until, free_entry_point,
                last_activity_at, created_at, updated_at)
            values ($1, $2, $3, $4, $5, $6, $4, $7, $7)
            on conflict (phone) do update set
                user_id = coalesce($2, c.user_id),
                profile_name = coalesce($3, c.profile_name),
                last_inbound_at = greatest(c.last_inbound_at, $4),
                free_entry_point = case when $6 then true
                    when $5 >= coalesce(c.window_open_until, $5) then false
                    else c.free_entry_point end,
                window_open_until = greatest(c.window_open_until, $5),
                last_activity_at = greatest(c.last_activity_at, $4),
                updated_at = $7""";

    /** The window of one business number only grows from an inbound message, like the contact's. */
    private static final String RECORD_SENDER_WINDOW = """
            insert into contact_window as w (phone, sender, last_inbound_at, window_open_until, free_entry_point, updated_at)
            values ($1, $2, $3, $4, $5, $6)
            on conflict (phone, sender) do update set
                last_inbound_at = greatest(w.last_inbound_at, $3),
                free_entry_point = case when $5 then true
                    when $4 >= w.window_open_until then false
                    else w.free_entry_point end,
                window_open_until = greatest(w.window_open_until, $4),
                updated_at = $6""";

    /**
     * A 131047 from one business number closes that number's window; a customer who wrote to it after the
     * failure reopened it, and then nothing closes. Without a sender (not one of ours), every window closes.
     */
    private static final String CLOSE_SENDER_WINDOW = """
            update contact_window set window_open_until = $3, free_entry_point = false, updated_at = $4
            where phone = $1 and ($2::text is null or sender = $2)
                and window_open_until > $3 and last_inbound_at < $3""";

    /**
     * The contact's window is the latest of its numbers' windows; a contact known from before windows were
     * kept per number (no rows) closes as it always did.
     */
    private static final String CLOSE_WINDOW = """
            update contact c set
                window_open_until = coalesce((select max(w.window_open_until) from contact_window w where w.phone = c.phone),
                    case when c.window_open_until > $2 and (c.last_inbound_at is null or c.last_inbound_at < $2)
                        then $2 else c.window_open_until end),
                free_entry_point = coalesce((select bool_or(w.free_entry_point) from contact_window w
                    where w.phone = c.phone and w.window_open_until > $3), false),
                updated_at = $3
            where phone = $1""";

    /**
     * Records an inbound message's contact facts.
     *
     * @param sender the configured sender the customer wrote to; null for a number that is not ours
     * @param openUntil end of the window this message opens, null for messages that open none (system notices)
     * @param at the message's time (Meta's timestamp)
     */
    public Uni<Void> recordInbound(SqlClient tx, String phone, String sender, String userId, String profileName,
            Instant at, Instant openUntil, boolean freeEntryPoint, Instant now) {
        Instant inboundAt = openUntil == null ? null : at;
        Uni<Void> contact = tx.preparedQuery(RECORD_INBOUND).execute(Tuple.tuple().addString(phone).addString(userId)
                .addString(profileName).addOffsetDateTime(Times.utc(inboundAt)).addOffsetDateTime(Times.utc(openUntil))
                .addBoolean(freeEntryPoint).addOffsetDateTime(Times.utc(now)))
                .replaceWithVoid();
        if (sender == null || openUntil == null) {
            return contact;
        }
        return contact.chain(() -> tx.preparedQuery(RECORD_SENDER_WINDOW).execute(Tuple.tuple().addString(phone)
                .addString(sender).addOffsetDateTime(Times.utc(at)).addOffsetDateTime(Times.utc(openUntil))
                .addBoolean(freeEntryPoint).addOffsetDateTime(Times.utc(now))))
                .replaceWithVoid();
    }

    /** The phone of a contact known by its business-scoped user id (webhooks from 2026 may carry no phone). */
    public Uni<String> phoneOfUser(SqlClient tx, String userId) {
        if (userId == null) {
            return Uni.createFrom().nullItem();
        }
        return tx.preparedQuery("select phone from contact where user_id = $1 order by updated_at desc limit 1")
                .execute(Tuple.of(userId))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString("phone") : null);
    }

    /**
     * A 131047 at {@code at} from {@code sender}'s number: that window was closed then, whatever our records
     * said (spec §3.2); the customer's windows with our other numbers stay as they are.
     *
     * @param sender the configured sender the failed message went from; null closes every window
     */
    public Uni<Void> closeWindow(SqlClient tx, String phone, String sender, Instant at, Instant now) {
        // contact first, then its windows: the order recordInbound takes them in, so a 131047 and an inbound
        // message of the same customer in two transactions wait for each other instead of deadlocking
        return tx.preparedQuery("select 1 from contact where phone = $1 for update").execute(Tuple.of(phone))
                .chain(() -> tx.preparedQuery(CLOSE_SENDER_WINDOW).execute(Tuple.tuple().addString(phone).addString(sender)
                        .addOffsetDateTime(Times.utc(at)).addOffsetDateTime(Times.utc(now))))
                .chain(() -> tx.preparedQuery(CLOSE_WINDOW).execute(Tuple.of(phone, Times.utc(at), Times.utc(now))))
                .replaceWithVoid();
    }

}
