package wagateway.contact;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.support.Times;

/**
 * Two contacts that turn out to be one person (a phone-less contact known by user id, and one holding the phone
 * a webhook now carries with that user id) become one: the surviving contact takes the other's consent trail and
 * windows (each the longer of the two), and its consent is derived again from the whole trail. The inbound
 * messages follow in the caller ({@link ContactResolver.Resolved#merged}: the inbound package owns them). Rare, so a few
 * statements per merge are fine; inside the resolving transaction.
 */
@ApplicationScoped
class ContactMerger {

    private static final String PAIRS = "unnest($1::text[], $2::text[]) as m(from_id, into_id)";

    private static final String MOVE_CONSENT = "update consent_event e set contact_id = m.into_id from " + PAIRS
            + " where e.contact_id = m.from_id";

    private static final String MERGE_WINDOWS = """
            insert into contact_window as w (contact_id, phone, sender, last_inbound_at, window_open_until,
                free_entry_point, updated_at)
            select m.into_id, null, x.sender, x.last_inbound_at, x.window_open_until, x.free_entry_point, $3
            from contact_window x join unnest($1::text[], $2::text[]) as m(from_id, into_id) on x.contact_id = m.from_id
            on conflict (contact_id, sender) do update set
                last_inbound_at = greatest(w.last_inbound_at, excluded.last_inbound_at),
                free_entry_point = case when excluded.window_open_until > w.window_open_until
                    then excluded.free_entry_point else w.free_entry_point end,
                window_open_until = greatest(w.window_open_until, excluded.window_open_until),
                updated_at = excluded.updated_at""";

    private static final String DROP_WINDOWS = "delete from contact_window where contact_id = any($1)";

    private static final String MERGE_CONTACT = """
            update contact c set
                profile_name = coalesce(c.profile_name, f.profile_name),
                username = coalesce(c.username, f.username),
                last_inbound_at = greatest(c.last_inbound_at, f.last_inbound_at),
                free_entry_point = case when f.window_open_until > coalesce(c.window_open_until, f.window_open_until - interval '1 second')
                    then f.free_entry_point else c.free_entry_point end,
                window_open_until = greatest(c.window_open_until, f.window_open_until),
                last_activity_at = greatest(c.last_activity_at, f.last_activity_at),
                created_at = least(c.created_at, f.created_at),
                updated_at = $3
            from unnest($1::text[], $2::text[]) as m(from_id, into_id) join contact f on f.id = m.from_id
            where c.id = m.into_id""";

    private static final String DROP_CONTACTS = "delete from contact where id = any($1)";

    private final ConsentLedger ledger;

    ContactMerger(ConsentLedger ledger) {
        this.ledger = ledger;
    }

    /** @param mergedInto each merged contact's id, and the id of the contact it becomes part of */
    Uni<Void> merge(SqlClient tx, Map<String, String> mergedInto, Instant now) {
        String[] from = mergedInto.keySet().toArray(String[]::new);
        String[] into = mergedInto.values().toArray(String[]::new);
        Tuple pairs = Tuple.of(from, into);
        return tx.preparedQuery(MOVE_CONSENT).execute(pairs)
                .chain(() -> tx.preparedQuery(MERGE_WINDOWS).execute(Tuple.of(from, into, Times.utc(now))))
                .chain(() -> tx.preparedQuery(DROP_WINDOWS).execute(Tuple.of((Object) from)))
                .chain(() -> tx.preparedQuery(MERGE_CONTACT).execute(Tuple.of(from, into, Times.utc(now))))
                .chain(() -> tx.preparedQuery(DROP_CONTACTS).execute(Tuple.of((Object) from)))
                .chain(() -> ledger.derive(tx, List.of(into), now));
    }
}
