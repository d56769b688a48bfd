package wagateway.contact;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

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

    /** A customer who wrote after the failure reopened the window: then nothing closes. */
    private static final String CLOSE_WINDOW = """
            update contact set window_open_until = $2, free_entry_point = false, updated_at = $3
            where phone = $1 and (window_open_until is null or window_open_until > $2)
                and (last_inbound_at is null or last_inbound_at < $2)""";

    /**
     * Records an inbound message's contact facts.
     *
     * @param openUntil end of the window this message opens, null for messages that open none (system notices)
     * @param at        the message's time (Meta's timestamp)
     */
    public Uni<Void> recordInbound(SqlClient tx, String phone, String userId, String profileName, Instant at,
            Instant openUntil, boolean freeEntryPoint, Instant now) {
        Instant inboundAt = openUntil == null ? null : at;
        return tx.preparedQuery(RECORD_INBOUND).execute(Tuple.tuple().addString(phone).addString(userId)
                .addString(profileName).addOffsetDateTime(utc(inboundAt)).addOffsetDateTime(utc(openUntil))
                .addBoolean(freeEntryPoint).addOffsetDateTime(utc(now)))
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

    /** A 131047 at {@code at}: the window was closed then, whatever our records said (spec §3.2). */
    public Uni<Void> closeWindow(SqlClient tx, String phone, Instant at, Instant now) {
        return tx.preparedQuery(CLOSE_WINDOW).execute(Tuple.of(phone, utc(at), utc(now))).replaceWithVoid();
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
