package wagateway.contact;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
     * The contact facts of a batch of inbound messages, one row per phone (in phone order), as if each message had
     * been recorded in turn: the latest user id and profile name, the latest inbound time, and a window that only
     * ever grows ({@code greatest} ignores nulls: a late or duplicate message cannot shorten it). The free-entry-point
     * flag follows whichever window lasts longest: the batch's longest window decides it when it is at least the
     * stored one (true when a free entry point came at or after the message that opened it); otherwise any free
     * entry point of the batch sets it ({@code $8}: the phones whose free entry point came before their longest
     * window), and none leaves it as it was.
     */
    private static final String RECORD_INBOUND = """
            insert into contact as c (phone, user_id, profile_name, last_inbound_at, window_open_until, free_entry_point,
                last_activity_at, created_at, updated_at)
            select u.phone, u.user_id, u.profile_name, u.inbound_at, u.open_until, u.free_entry_point, u.inbound_at, $7, $7
            from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::bool[])
                as u(phone, user_id, profile_name, inbound_at, open_until, free_entry_point)
            on conflict (phone) do update set
                user_id = coalesce(excluded.user_id, c.user_id),
                profile_name = coalesce(excluded.profile_name, c.profile_name),
                last_inbound_at = greatest(c.last_inbound_at, excluded.last_inbound_at),
                free_entry_point = case
                    when excluded.window_open_until >= coalesce(c.window_open_until, excluded.window_open_until)
                        then excluded.free_entry_point
                    when excluded.free_entry_point or excluded.phone = any($8::text[]) then true
                    else c.free_entry_point end,
                window_open_until = greatest(c.window_open_until, excluded.window_open_until),
                last_activity_at = greatest(c.last_activity_at, excluded.last_activity_at),
                updated_at = excluded.updated_at""";

    /**
     * The window of one business number only grows from an inbound message, like the contact's; one row per
     * (phone, sender), in that order; {@code $7}/{@code $8}: the windows whose free entry point came before their
     * longest window.
     */
    private static final String RECORD_SENDER_WINDOWS = """
            insert into contact_window as w (phone, sender, last_inbound_at, window_open_until, free_entry_point, updated_at)
            select u.phone, u.sender, u.inbound_at, u.open_until, u.free_entry_point, $6
            from unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bool[])
                as u(phone, sender, inbound_at, open_until, free_entry_point)
            on conflict (phone, sender) do update set
                last_inbound_at = greatest(w.last_inbound_at, excluded.last_inbound_at),
                free_entry_point = case
                    when excluded.window_open_until >= w.window_open_until then excluded.free_entry_point
                    when excluded.free_entry_point
                        or (excluded.phone, excluded.sender) in (select * from unnest($7::text[], $8::text[])) then true
                    else w.free_entry_point end,
                window_open_until = greatest(w.window_open_until, excluded.window_open_until),
                updated_at = excluded.updated_at""";

    /** The contacts that hold these business-scoped user ids. */
    private static final String BY_USER_IDS = "select phone, user_id, updated_at from contact where user_id = any($1)";

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
     * A customer as an inbound message names them.
     *
     * @param phone E.164; null when Meta left it empty (usernames, 2026)
     * @param userId the business-scoped user id, when given
     */
    public record Customer(String phone, String userId) {
    }

    /**
     * What one new inbound message teaches about its contact.
     *
     * @param phone the contact it is recorded on ({@link #phonesOf})
     * @param sender the configured sender the customer wrote to; null for a number that is not ours
     * @param at the message's time (Meta's timestamp)
     * @param openUntil end of the window this message opens, null for messages that open none (system notices)
     */
    public record Inbound(String phone, String sender, String userId, String profileName, Instant at,
            Instant openUntil, boolean freeEntryPoint) {
    }

    /**
     * The contact each customer of a batch of new inbound messages is recorded on, in Meta's order: its phone,
     * else the contact last updated among those holding its business-scoped user id, as it stands once the
     * earlier messages of the batch are recorded ({@link #recordInbound} records every customer it maps, each
     * updated {@code now}). One query for the whole batch, and only when a customer comes without phone; null
     * for a customer we cannot key (no phone, and a user id no contact has).
     * <p>
     * The one place that maps a message to its contact: re-keying contacts (on a gateway contact id rather than
     * the phone) changes this method and what it returns.
     */
    public Uni<List<String>> phonesOf(SqlClient tx, List<Customer> customers, Instant now) {
        Set<String> userIds = new LinkedHashSet<>();
        for (Customer customer : customers) {
            if (customer.phone() == null && customer.userId() != null) {
                userIds.add(customer.userId());
            }
        }
        if (userIds.isEmpty()) {
            return Uni.createFrom().item(customers.stream().map(Customer::phone).toList());
        }
        return tx.preparedQuery(BY_USER_IDS).execute(Tuple.tuple().addArrayOfString(userIds.toArray(String[]::new)))
                .map(rows -> {
                    // the contacts that may answer for these user ids, replayed through the batch
                    Replay replay = new Replay();
                    rows.forEach(row -> replay.put(row.getString("phone"), row.getString("user_id"),
                            Times.instant(row.getOffsetDateTime("updated_at")), -1));
                    List<String> phones = new ArrayList<>(customers.size());
                    for (int i = 0; i < customers.size(); i++) {
                        Customer customer = customers.get(i);
                        String phone = customer.phone() != null ? customer.phone()
                                : replay.lastUpdated(customer.userId());
                        phones.add(phone);
                        if (phone != null) {
                            replay.recorded(phone, customer.userId(), now, i);
                        }
                    }
                    return phones;
                });
    }

    /**
     * The contacts {@link #phonesOf} may answer with, as the batch records them: each one's user id, when it was
     * updated and by which customer of the batch (-1: before it), found by user id.
     */
    private static final class Replay {
        private record Known(String userId, Instant updatedAt, int by) {
        }

        private final Map<String, Known> byPhone = new HashMap<>();
        private final Map<String, Set<String>> phonesByUserId = new HashMap<>();

        void put(String phone, String userId, Instant updatedAt, int by) {
            Known before = byPhone.put(phone, new Known(userId, updatedAt, by));
            if (before != null && before.userId() != null && !before.userId().equals(userId)) {
                phonesByUserId.get(before.userId()).remove(phone);
            }
            if (userId != null) {
                phonesByUserId.computeIfAbsent(userId, u -> new LinkedHashSet<>()).add(phone);
            }
        }

        /** Recorded as {@link #recordInbound} records it: the user id when it brings one, updated now. */
        void recorded(String phone, String userId, Instant now, int by) {
            Known before = byPhone.get(phone);
            put(phone, userId != null ? userId : before == null ? null : before.userId(), now, by);
        }

        /** {@code order by updated_at desc limit 1}; of equal times, the later in the batch (as clock ticks were). */
        String lastUpdated(String userId) {
            String phone = null;
            Known best = null;
            for (String candidate : userId == null ? Set.<String> of() : phonesByUserId.getOrDefault(userId, Set.of())) {
                Known k = byPhone.get(candidate);
                int byTime = best == null ? 1 : k.updatedAt().compareTo(best.updatedAt());
                if (byTime > 0 || byTime == 0 && k.by() > best.by()) {
                    best = k;
                    phone = candidate;
                }
            }
            return phone;
        }
    }

    /**
     * Records the contact facts of a batch of new inbound messages (in Meta's order) with two statements whatever
     * their number: one upsert of their contacts, one of their windows with our numbers; the messages of one
     * customer are folded into one row first, with the result of recording them one after the other. Contacts
     * are taken in phone order, then their windows, as {@link #closeWindow} and the dispatcher's outcome take
     * them, so concurrent transactions wait for each other instead of deadlocking.
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
            contacts.computeIfAbsent(m.phone(), p -> new Fold()).add(m, i);
            if (m.sender() != null && m.openUntil() != null) {
                windows.computeIfAbsent(List.of(m.phone(), m.sender()), k -> new Fold()).add(m, i);
            }
        }
        return recordContacts(tx, contacts, now).chain(() -> recordWindows(tx, windows, now));
    }

    private static Uni<Void> recordContacts(SqlClient tx, Map<String, Fold> contacts, Instant now) {
        int n = contacts.size();
        String[] phones = new String[n];
        String[] userIds = new String[n];
        String[] names = new String[n];
        OffsetDateTime[] inboundAts = new OffsetDateTime[n];
        OffsetDateTime[] openUntils = new OffsetDateTime[n];
        Boolean[] freeEntryPoints = new Boolean[n];
        List<String> freeBeforeLongest = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Fold> entry : contacts.entrySet()) {
            Fold f = entry.getValue();
            phones[i] = entry.getKey();
            userIds[i] = f.userId;
            names[i] = f.profileName;
            inboundAts[i] = Times.utc(f.inboundAt);
            openUntils[i] = Times.utc(f.openUntil);
            freeEntryPoints[i] = f.freeEntryPoint();
            if (f.freeBeforeLongest()) {
                freeBeforeLongest.add(entry.getKey());
            }
            i++;
        }
        return tx.preparedQuery(RECORD_INBOUND).execute(Tuple.tuple().addArrayOfString(phones).addArrayOfString(userIds)
                .addArrayOfString(names).addArrayOfOffsetDateTime(inboundAts).addArrayOfOffsetDateTime(openUntils)
                .addArrayOfBoolean(freeEntryPoints).addOffsetDateTime(Times.utc(now))
                .addArrayOfString(freeBeforeLongest.toArray(String[]::new)))
                .replaceWithVoid();
    }

    private static Uni<Void> recordWindows(SqlClient tx, Map<List<String>, Fold> windows, Instant now) {
        if (windows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = windows.size();
        String[] phones = new String[n];
        String[] senders = new String[n];
        OffsetDateTime[] inboundAts = new OffsetDateTime[n];
        OffsetDateTime[] openUntils = new OffsetDateTime[n];
        Boolean[] freeEntryPoints = new Boolean[n];
        List<String> freeBeforeLongestPhones = new ArrayList<>();
        List<String> freeBeforeLongestSenders = new ArrayList<>();
        int i = 0;
        for (Map.Entry<List<String>, Fold> entry : windows.entrySet()) {
            Fold f = entry.getValue();
            phones[i] = entry.getKey().get(0);
            senders[i] = entry.getKey().get(1);
            inboundAts[i] = Times.utc(f.inboundAt);
            openUntils[i] = Times.utc(f.openUntil);
            freeEntryPoints[i] = f.freeEntryPoint();
            if (f.freeBeforeLongest()) {
                freeBeforeLongestPhones.add(phones[i]);
                freeBeforeLongestSenders.add(senders[i]);
            }
            i++;
        }
        return tx.preparedQuery(RECORD_SENDER_WINDOWS).execute(Tuple.tuple().addArrayOfString(phones)
                .addArrayOfString(senders).addArrayOfOffsetDateTime(inboundAts).addArrayOfOffsetDateTime(openUntils)
                .addArrayOfBoolean(freeEntryPoints).addOffsetDateTime(Times.utc(now))
                .addArrayOfString(freeBeforeLongestPhones.toArray(String[]::new))
                .addArrayOfString(freeBeforeLongestSenders.toArray(String[]::new)))
                .replaceWithVoid();
    }

    /**
     * The messages of one contact (or one window) folded in order into the one row that records them all, with
     * what recording them one by one would leave.
     */
    private static final class Fold {
        String userId;
        String profileName;
        /** The latest time of a message that opened a window. */
        Instant inboundAt;
        /** The longest window, and the last message that opened it. */
        Instant openUntil;
        int longest = -1;
        /** The last free entry point. */
        int lastFree = -1;

        void add(Inbound m, int index) {
            userId = m.userId() != null ? m.userId() : userId;
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
