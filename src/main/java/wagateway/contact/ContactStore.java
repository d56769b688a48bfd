package wagateway.contact;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
     * The contact facts of a batch of inbound messages, one row per contact (in id order; {@link ContactResolver}
     * made them), as if each message had been recorded in turn: the latest profile name, the latest inbound time,
     * and a window that only ever grows ({@code greatest} ignores nulls: a late or duplicate message cannot shorten
     * it). The free-entry-point flag follows whichever window lasts longest: the batch's longest window decides it
     * when it is at least the stored one (true when a free entry point came at or after the message that opened
     * it); otherwise any free entry point of the batch sets it ({@code $7}: the contacts whose free entry point came
     * before their longest window), and none leaves it as it was.
     */
    private static final String RECORD_INBOUND = """
            update contact c set
                profile_name = coalesce(u.profile_name, c.profile_name),
                last_inbound_at = greatest(c.last_inbound_at, u.inbound_at),
                free_entry_point = case
                    when u.open_until >= coalesce(c.window_open_until, u.open_until) then u.free_entry_point
                    when u.free_entry_point or u.id = any($7::text[]) then true
                    else c.free_entry_point end,
                window_open_until = greatest(c.window_open_until, u.open_until),
                last_activity_at = greatest(c.last_activity_at, u.inbound_at),
                updated_at = $6
            from unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bool[])
                as u(id, profile_name, inbound_at, open_until, free_entry_point)
            where c.id = u.id""";

    /**
     * The window of one business number only grows from an inbound message, like the contact's; one row per
     * (contact, sender), in that order; {@code $7}/{@code $8}: the windows whose free entry point came before their
     * longest window. The contact's phone goes along for the previous release, which reads windows by phone.
     */
    private static final String RECORD_SENDER_WINDOWS = """
            insert into contact_window as w (contact_id, phone, sender, last_inbound_at, window_open_until,
                free_entry_point, updated_at)
            select u.contact_id, (select c.phone from contact c where c.id = u.contact_id), u.sender, u.inbound_at,
                u.open_until, u.free_entry_point, $6
            from unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bool[])
                as u(contact_id, sender, inbound_at, open_until, free_entry_point)
            on conflict (contact_id, sender) do update set
                last_inbound_at = greatest(w.last_inbound_at, excluded.last_inbound_at),
                free_entry_point = case
                    when excluded.window_open_until >= w.window_open_until then excluded.free_entry_point
                    when excluded.free_entry_point
                        or (excluded.contact_id, excluded.sender) in (select * from unnest($7::text[], $8::text[]))
                        then true
                    else w.free_entry_point end,
                window_open_until = greatest(w.window_open_until, excluded.window_open_until),
                updated_at = excluded.updated_at""";

    /**
     * A 131047 from one business number closes that number's window; a customer who wrote to it after the
     * failure reopened it, and then nothing closes. Without a sender (not one of ours), every window closes.
     */
    private static final String CLOSE_SENDER_WINDOW = """
            update contact_window set window_open_until = $3, free_entry_point = false, updated_at = $4
            where contact_id = $1 and ($2::text is null or sender = $2)
                and window_open_until > $3 and last_inbound_at < $3""";

    /**
     * The contact's window is the latest of its numbers' windows; a contact known from before windows were
     * kept per number (no rows) closes as it always did.
     */
    private static final String CLOSE_WINDOW = """
            update contact c set
                window_open_until = coalesce((select max(w.window_open_until) from contact_window w where w.contact_id = c.id),
                    case when c.window_open_until > $2 and (c.last_inbound_at is null or c.last_inbound_at < $2)
                        then $2 else c.window_open_until end),
                free_entry_point = coalesce((select bool_or(w.free_entry_point) from contact_window w
                    where w.contact_id = c.id and w.window_open_until > $3), false),
                updated_at = $3
            where id = $1""";

    /** The contact a message was addressed to (phone, else business-scoped user id), locked. */
    private static final String LOCK_RECIPIENT = """
            select id from contact where phone = $1 or user_id = $1
            order by phone = $1 desc nulls last, updated_at desc limit 1 for update""";

    /**
     * What one new inbound message teaches about its contact.
     *
     * @param contactId the contact it is recorded on ({@link ContactResolver})
     * @param sender the configured sender the customer wrote to; null for a number that is not ours
     * @param at the message's time (Meta's timestamp)
     * @param openUntil end of the window this message opens, null for messages that open none (system notices)
     */
    public record Inbound(String contactId, String sender, String profileName, Instant at,
            Instant openUntil, boolean freeEntryPoint) {
    }

    /**
     * Records the contact facts of a batch of new inbound messages (in Meta's order) with two statements whatever
     * their number: one update of their contacts, one upsert of their windows with our numbers; the messages of
     * one contact are folded into one row first, with the result of recording them one after the other. Contacts
     * are taken in id order, then their windows, as {@link #closeWindow} and the dispatcher's outcome take them,
     * so concurrent transactions wait for each other instead of deadlocking.
     */
    public Uni<Void> recordInbound(SqlClient tx, List<Inbound> messages, Instant now) {
        if (messages.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, Fold> contacts = new TreeMap<>();
        Map<List<String>, Fold> windows = new TreeMap<>(Comparator.<List<String>, String> comparing(k -> k.get(0))
                .thenComparing(k -> k.get(1)));
        for (int i = 0; i < messages.size(); i++) {
            Inbound m = messages.get(i);
            contacts.computeIfAbsent(m.contactId(), p -> new Fold()).add(m, i);
            if (m.sender() != null && m.openUntil() != null) {
                windows.computeIfAbsent(List.of(m.contactId(), m.sender()), k -> new Fold()).add(m, i);
            }
        }
        return recordContacts(tx, contacts, now).chain(() -> recordWindows(tx, windows, now));
    }

    private static Uni<Void> recordContacts(SqlClient tx, Map<String, Fold> contacts, Instant now) {
        int n = contacts.size();
        String[] ids = new String[n];
        String[] names = new String[n];
        OffsetDateTime[] inboundAts = new OffsetDateTime[n];
        OffsetDateTime[] openUntils = new OffsetDateTime[n];
        Boolean[] freeEntryPoints = new Boolean[n];
        List<String> freeBeforeLongest = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Fold> entry : contacts.entrySet()) {
            Fold f = entry.getValue();
            ids[i] = entry.getKey();
            names[i] = f.profileName;
            inboundAts[i] = Times.utc(f.inboundAt);
            openUntils[i] = Times.utc(f.openUntil);
            freeEntryPoints[i] = f.freeEntryPoint();
            if (f.freeBeforeLongest()) {
                freeBeforeLongest.add(entry.getKey());
            }
            i++;
        }
        return tx.preparedQuery(RECORD_INBOUND).execute(Tuple.tuple().addArrayOfString(ids).addArrayOfString(names)
                .addArrayOfOffsetDateTime(inboundAts).addArrayOfOffsetDateTime(openUntils)
                .addArrayOfBoolean(freeEntryPoints).addOffsetDateTime(Times.utc(now))
                .addArrayOfString(freeBeforeLongest.toArray(String[]::new)))
                .replaceWithVoid();
    }

    private static Uni<Void> recordWindows(SqlClient tx, Map<List<String>, Fold> windows, Instant now) {
        if (windows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = windows.size();
        String[] contactIds = new String[n];
        String[] senders = new String[n];
        OffsetDateTime[] inboundAts = new OffsetDateTime[n];
        OffsetDateTime[] openUntils = new OffsetDateTime[n];
        Boolean[] freeEntryPoints = new Boolean[n];
        List<String> freeBeforeLongestContacts = new ArrayList<>();
        List<String> freeBeforeLongestSenders = new ArrayList<>();
        int i = 0;
        for (Map.Entry<List<String>, Fold> entry : windows.entrySet()) {
            Fold f = entry.getValue();
            contactIds[i] = entry.getKey().get(0);
            senders[i] = entry.getKey().get(1);
            inboundAts[i] = Times.utc(f.inboundAt);
            openUntils[i] = Times.utc(f.openUntil);
            freeEntryPoints[i] = f.freeEntryPoint();
            if (f.freeBeforeLongest()) {
                freeBeforeLongestContacts.add(contactIds[i]);
                freeBeforeLongestSenders.add(senders[i]);
            }
            i++;
        }
        return tx.preparedQuery(RECORD_SENDER_WINDOWS).execute(Tuple.tuple().addArrayOfString(contactIds)
                .addArrayOfString(senders).addArrayOfOffsetDateTime(inboundAts).addArrayOfOffsetDateTime(openUntils)
                .addArrayOfBoolean(freeEntryPoints).addOffsetDateTime(Times.utc(now))
                .addArrayOfString(freeBeforeLongestContacts.toArray(String[]::new))
                .addArrayOfString(freeBeforeLongestSenders.toArray(String[]::new)))
                .replaceWithVoid();
    }

    /**
     * The messages of one contact (or one window) folded in order into the one row that records them all, with
     * what recording them one by one would leave.
     */
    private static final class Fold {
        String profileName;
        /** The latest time of a message that opened a window. */
        Instant inboundAt;
        /** The longest window, and the last message that opened it. */
        Instant openUntil;
        int longest = -1;
        /** The last free entry point. */
        int lastFree = -1;

        void add(Inbound m, int index) {
            profileName = m.profileName() != null ? m.profileName() : profileName;
            if (m.openUntil() != null) {
                inboundAt = inboundAt == null || m.at().isAfter(inboundAt) ? m.at() : inboundAt;
                if (openUntil == null || !m.openUntil().isBefore(openUntil)) {
                    openUntil = m.openUntil();
                    longest = index;
                }
            }
            if (m.freeEntryPoint()) {
                lastFree = index;
            }
        }

        /**
         * The flag when the batch's longest window decides it (a new row, or one whose window it reaches): whether
         * a free entry point came with or after the message that opened it. Without any window: whether any came.
         */
        boolean freeEntryPoint() {
            return lastFree >= 0 && lastFree >= longest;
        }

        /** A free entry point came before the longest window: it counts only when a stored window outlasts the batch's. */
        boolean freeBeforeLongest() {
            return openUntil != null && lastFree >= 0 && lastFree < longest;
        }
    }

    /**
     * A 131047 at {@code at} from {@code sender}'s number: that window was closed then, whatever our records
     * said (spec §3.2); the customer's windows with our other numbers stay as they are.
     *
     * @param recipient the failed message's recipient as it was addressed: phone or business-scoped user id
     * @param sender the configured sender the failed message went from; null closes every window
     */
    public Uni<Void> closeWindow(SqlClient tx, String recipient, String sender, Instant at, Instant now) {
        // contact first, then its windows: the order recordInbound takes them in, so a 131047 and an inbound
        // message of the same customer in two transactions wait for each other instead of deadlocking
        return tx.preparedQuery(LOCK_RECIPIENT).execute(Tuple.of(recipient)).chain(rows -> {
            if (!rows.iterator().hasNext()) {
                return Uni.createFrom().voidItem();
            }
            String id = rows.iterator().next().getString("id");
            return tx.preparedQuery(CLOSE_SENDER_WINDOW).execute(Tuple.tuple().addString(id).addString(sender)
                    .addOffsetDateTime(Times.utc(at)).addOffsetDateTime(Times.utc(now)))
                    .chain(() -> tx.preparedQuery(CLOSE_WINDOW).execute(Tuple.of(id, Times.utc(at), Times.utc(now))))
                    .replaceWithVoid();
        });
    }

}
