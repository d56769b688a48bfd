package wagateway.contact;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.support.Times;

/**
 * Which contact (person) each customer of a batch is, inside the caller's transaction: the one place that maps
 * identifiers (phone, business-scoped user id) to a contact, creates contacts, links the identifiers a webhook
 * carries together, and moves them when Meta says the customer changed number ({@code user_changed_number}) or
 * business-scoped user id ({@code user_changed_user_id}).
 * <p>
 * One contact per person: a customer is the contact holding their phone, else the one holding their user id, else
 * a new one. A customer seen first by user id and later with a phone stays one contact (the phone is added to it);
 * when both identifiers already name two contacts (a phone-only one, from the API or before BSUIDs, and a
 * phone-less one), the phone-less one is merged into the other, its consent trail, windows and messages with it.
 * A customer who writes from a new number before Meta's {@code user_changed_number} leaves a contact of that
 * number: when the notice comes (or a webhook carries their known user id with the new number), it is merged into
 * theirs if it was made since they last wrote; an older one is a recycled number's previous owner, and stays.
 * <p>
 * Concurrent transactions resolving the same identifiers take a transaction-scoped advisory lock per identifier
 * first, in one order, so they cannot both create a contact for one person.
 */
@ApplicationScoped
public class ContactResolver {

    /** Lock ids of identifiers; the seed keeps them apart from any other advisory lock. */
    private static final String LOCK = "select pg_advisory_xact_lock(hashtextextended(k, 17)) from unnest($1::text[]) as k";

    private static final String FIND = """
            select id, phone, user_id, username, created_at, last_inbound_at from contact
            where phone = any($1) or user_id = any($2)
            order by updated_at, id""";

    /** Identifiers that moved to another contact leave their old holder first (unique phone). */
    private static final String DETACH = """
            update contact c set phone = case when u.phone then null else c.phone end,
                user_id = case when u.user_id then null else c.user_id end, updated_at = $4
            from unnest($1::text[], $2::bool[], $3::bool[]) as u(id, phone, user_id) where c.id = u.id""";

    private static final String INSERT = """
            insert into contact (id, phone, user_id, username, created_at, updated_at)
            select u.id, u.phone, u.user_id, u.username, $5, $5
            from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as u(id, phone, user_id, username)""";

    private static final String LINK = """
            update contact c set phone = u.phone, user_id = u.user_id, username = coalesce(u.username, c.username),
                updated_at = $5
            from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as u(id, phone, user_id, username)
            where c.id = u.id""";

    /**
     * Windows carry their contact's phone for the previous release, which reads and upserts them by phone: when
     * a contact's phone changes, its windows follow (those of contacts that lost theirs first, the phone being
     * unique per business number there too).
     */
    private static final String WINDOWS_LOSE_PHONE = "update contact_window set phone = null where contact_id = any($1)";
    private static final String WINDOWS_TAKE_PHONE = """
            update contact_window w set phone = c.phone from contact c
            where c.id = w.contact_id and c.id = any($1) and w.phone is distinct from c.phone""";

    /**
     * A customer as an inbound message (or a caller) names them.
     *
     * @param phone E.164; null when Meta left it empty (usernames, 2026)
     * @param userId the business-scoped user id, when given
     * @param username the WhatsApp username, when given (display only, never a key)
     * @param newPhone a {@code user_changed_number} notice: the number the customer moved to
     * @param newUserId a {@code user_changed_number} / {@code user_changed_user_id} notice: the new user id
     */
    public record Customer(String phone, String userId, String username, String newPhone, String newUserId) {

        public Customer(String phone, String userId) {
            this(phone, userId, null, null, null);
        }

        boolean named() {
            return phone != null || userId != null || newPhone != null || newUserId != null;
        }
    }

    /**
     * A contact as resolved, with the identifiers it holds once the batch is applied.
     *
     * @param merged the contacts this batch merged into this one (their messages should follow it)
     */
    public record Resolved(String id, String phone, String userId, String username, List<String> merged) {

        /** What events and the per-contact ordering of callbacks name it by: its phone, else its user id. */
        public String key() {
            return phone != null ? phone : userId;
        }
    }

    private final ContactMerger merger;

    ContactResolver(ContactMerger merger) {
        this.merger = merger;
    }

    /** A new gateway contact id: {@code c_} and 32 hex digits, never a phone (digits with '+') nor a BSUID. */
    public static String newId() {
        return "c_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** One customer; see {@link #resolveAll}. */
    public Uni<Resolved> resolve(SqlClient tx, Customer customer, Instant now) {
        return resolveAll(tx, List.of(customer), now).map(all -> all.get(0));
    }

    /**
     * The contact of each customer, in order, as if they were resolved one after the other (a later customer of the
     * batch sees what earlier ones linked or moved); null for a customer with no identifier. Creates, links, moves
     * and merges in at most six statements whatever the batch's size (most batches: lock, find, and one write).
     */
    public Uni<List<Resolved>> resolveAll(SqlClient tx, List<Customer> customers, Instant now) {
        Set<String> phones = new TreeSet<>();
        Set<String> userIds = new TreeSet<>();
        for (Customer c : customers) {
            addIfPresent(phones, c.phone());
            addIfPresent(phones, c.newPhone());
            addIfPresent(userIds, c.userId());
            addIfPresent(userIds, c.newUserId());
        }
        if (phones.isEmpty() && userIds.isEmpty()) {
            List<Resolved> none = new ArrayList<>();
            customers.forEach(c -> none.add(null));
            return Uni.createFrom().item(none);
        }
        Set<String> keys = new TreeSet<>(phones);
        keys.addAll(userIds);
        return tx.preparedQuery(LOCK).execute(Tuple.of(keys.toArray(String[]::new)))
                .chain(() -> tx.preparedQuery(FIND).execute(Tuple.of(phones.toArray(String[]::new),
                        userIds.toArray(String[]::new))))
                .chain(rows -> {
                    Batch batch = new Batch();
                    rows.forEach(row -> batch.known(new Known(row.getString("id"), row.getString("phone"),
                            row.getString("user_id"), row.getString("username"), false,
                            instant(row.getOffsetDateTime("created_at")),
                            instant(row.getOffsetDateTime("last_inbound_at")))));
                    List<Resolved> resolved = new ArrayList<>(customers.size());
                    for (Customer c : customers) {
                        resolved.add(c.named() ? batch.apply(c) : null);
                    }
                    return batch.write(tx, now).replaceWith(() -> {
                        // the identifiers each contact holds at the end of the batch
                        List<Resolved> out = new ArrayList<>(resolved.size());
                        for (Resolved r : resolved) {
                            Known k = r == null ? null : batch.byId.get(batch.survivor(r.id()));
                            out.add(k == null ? null
                                    : new Resolved(k.id, k.phone, k.userId, k.username,
                                            batch.mergedInto(k.id)));
                        }
                        return out;
                    });
                });
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }

    private static void addIfPresent(Set<String> set, String value) {
        if (value != null) {
            set.add(value);
        }
    }

    /** A contact as the batch leaves it. */
    private static final class Known {
        final String id;
        String phone;
        String userId;
        String username;
        final boolean created;
        boolean changed;
        boolean phoneDetached;
        boolean userIdDetached;
        /** Its phone changed in this batch (taken, moved or given up): its windows follow. */
        boolean phoneChanged;
        /** When it was made, and when its customer last wrote (null: new in this batch, or never). */
        final Instant createdAt;
        final Instant lastInboundAt;

        Known(String id, String phone, String userId, String username, boolean created) {
            this(id, phone, userId, username, created, null, null);
        }

        Known(String id, String phone, String userId, String username, boolean created, Instant createdAt,
                Instant lastInboundAt) {
            this.id = id;
            this.phone = phone;
            this.userId = userId;
            this.username = username;
            this.created = created;
            this.createdAt = createdAt;
            this.lastInboundAt = lastInboundAt;
        }

        /**
         * Whether this contact, left without any identifier by {@code person} taking them, is an orphan of that
         * person: made since the person last wrote (or in this very batch), so by a customer who wrote from their
         * new number before Meta said they moved. An older contact (a number's previous owner, recycled) keeps its
         * own history and consent.
         */
        boolean orphanOf(Known person) {
            return phone == null && userId == null && (created || createdAt == null || person.lastInboundAt == null
                    || !createdAt.isBefore(person.lastInboundAt));
        }
    }

    /** The contacts of one batch, replayed customer after customer, then written set-based. */
    private final class Batch {
        final Map<String, Known> byId = new LinkedHashMap<>();
        final Map<String, String> idByPhone = new HashMap<>();
        /** The last updated contact holding a user id (older data may have it on several). */
        final Map<String, String> idByUserId = new HashMap<>();
        final Map<String, String> mergedInto = new LinkedHashMap<>();

        /** The contact {@code id} is now: itself, or the one it was merged into. */
        String survivor(String id) {
            String into = mergedInto.get(id);
            return into == null ? id : survivor(into);
        }

        void known(Known k) {
            byId.put(k.id, k);
            if (k.phone != null) {
                idByPhone.put(k.phone, k.id);
            }
            if (k.userId != null) {
                idByUserId.put(k.userId, k.id);
            }
        }

        /** Contacts that gave up an identifier while applying the current customer. */
        final List<Known> gaveUp = new ArrayList<>();

        Resolved apply(Customer c) {
            String byPhone = c.phone() == null ? null : idByPhone.get(c.phone());
            String byUserId = c.userId() == null ? null : idByUserId.get(c.userId());
            Known k;
            boolean movedNumber = false;
            if (byPhone != null) {
                k = byId.get(byPhone);
                Known holder = byUserId == null || byUserId.equals(byPhone) ? null : byId.get(byUserId);
                if (holder != null && holder.phone == null) {
                    merge(holder, k);
                } else if (holder != null && k.userId == null) {
                    // the user id's person writes with a phone another contact (known by that phone alone) holds:
                    // they moved to that number, and wrote from it before Meta's user_changed_number came; that
                    // contact is the orphan of their first message from it (merged below, if it is)
                    k = holder;
                    movedNumber = true;
                }
            } else if (byUserId != null && (c.phone() == null || byId.get(byUserId).phone == null)) {
                k = byId.get(byUserId);
            } else {
                // a phone no contact has; a user id held with another phone is not this person's (a user id
                // belongs to one phone number: a new number gets a new one), so this is a new contact
                k = new Known(newId(), null, null, null, true);
                byId.put(k.id, k);
            }
            if (c.phone() != null && (k.phone == null || movedNumber)) {
                takePhone(k, c.phone());
            }
            if (c.userId() != null && !c.userId().equals(k.userId)) {
                takeUserId(k, c.userId());
            }
            if (c.username() != null && !c.username().equals(k.username)) {
                k.username = c.username();
                k.changed = true;
            }
            if (c.newPhone() != null && !c.newPhone().equals(k.phone)) {
                takePhone(k, c.newPhone());
            }
            if (c.newUserId() != null && !c.newUserId().equals(k.userId)) {
                takeUserId(k, c.newUserId());
            }
            // a contact this customer took every identifier of, made by them since they last wrote: the same person
            for (Known other : gaveUp) {
                if (other != k && byId.containsKey(other.id) && other.orphanOf(k)) {
                    merge(other, k);
                }
            }
            gaveUp.clear();
            return new Resolved(k.id, k.phone, k.userId, k.username, List.of());
        }

        List<String> mergedInto(String id) {
            List<String> merged = new ArrayList<>();
            mergedInto.forEach((from, into) -> {
                if (survivor(into).equals(id)) {
                    merged.add(from);
                }
            });
            return merged;
        }

        /**
         * The contact {@code from} (phone-less, or left without identifiers) is the same person as {@code into}: one
         * contact remains.
         */
        private void merge(Known from, Known into) {
            Log.infof("Contact %s merged into %s: the same customer", from.id, into.id);
            mergedInto.put(from.id, into.id);
            byId.remove(from.id);
            if (from.userId != null) {
                idByUserId.remove(from.userId);
            }
            if (into.username == null && from.username != null) {
                into.username = from.username;
                into.changed = true;
            }
        }

        private void takePhone(Known k, String phone) {
            String holder = idByPhone.get(phone);
            if (holder != null && !holder.equals(k.id)) {
                Known other = byId.get(holder);
                Log.infof("Contact %s gives up a phone number %s now holds", other.id, k.id);
                gaveUp.add(other);
                other.phone = null;
                other.phoneDetached = !other.created;
                other.phoneChanged = true;
                other.changed = true;
            }
            if (k.phone != null) {
                idByPhone.remove(k.phone);
            }
            k.phone = phone;
            k.changed = true;
            k.phoneChanged = true;
            idByPhone.put(phone, k.id);
        }

        private void takeUserId(Known k, String userId) {
            String holder = idByUserId.get(userId);
            if (holder != null && !holder.equals(k.id)) {
                Known other = byId.get(holder);
                gaveUp.add(other);
                other.userId = null;
                other.userIdDetached = !other.created;
                other.changed = true;
            }
            if (k.userId != null) {
                idByUserId.remove(k.userId);
            }
            k.userId = userId;
            k.changed = true;
            idByUserId.put(userId, k.id);
        }

        Uni<Void> write(SqlClient tx, Instant now) {
            OffsetDateTime at = Times.utc(now);
            List<Known> detached = new ArrayList<>();
            Map<String, Known> created = new TreeMap<>();
            Map<String, Known> linked = new TreeMap<>();
            for (Known k : byId.values()) {
                if (k.phoneDetached || k.userIdDetached) {
                    detached.add(k);
                }
                if (k.created) {
                    created.put(k.id, k);
                } else if (k.changed) {
                    linked.put(k.id, k);
                }
            }
            Uni<Void> chain = Uni.createFrom().voidItem();
            if (!detached.isEmpty()) {
                chain = chain.chain(() -> tx.preparedQuery(DETACH).execute(Tuple.tuple()
                        .addArrayOfString(detached.stream().map(k -> k.id).toArray(String[]::new))
                        .addArrayOfBoolean(detached.stream().map(k -> k.phoneDetached).toArray(Boolean[]::new))
                        .addArrayOfBoolean(detached.stream().map(k -> k.userIdDetached).toArray(Boolean[]::new))
                        .addOffsetDateTime(at)).replaceWithVoid());
            }
            if (!mergedInto.isEmpty()) {
                chain = chain.chain(() -> merger.merge(tx, mergedInto, now));
            }
            if (!created.isEmpty()) {
                chain = chain.chain(() -> tx.preparedQuery(INSERT).execute(rows(created.values(), at)).replaceWithVoid());
            }
            if (!linked.isEmpty()) {
                chain = chain.chain(() -> tx.preparedQuery(LINK).execute(rows(linked.values(), at)).replaceWithVoid());
            }
            String[] lostPhone = byId.values().stream().filter(k -> !k.created && k.phoneChanged && k.phone == null)
                    .map(k -> k.id).sorted().toArray(String[]::new);
            String[] tookPhone = byId.values().stream().filter(k -> !k.created && k.phoneChanged && k.phone != null)
                    .map(k -> k.id).sorted().toArray(String[]::new);
            if (lostPhone.length > 0) {
                chain = chain.chain(() -> tx.preparedQuery(WINDOWS_LOSE_PHONE).execute(Tuple.of((Object) lostPhone))
                        .replaceWithVoid());
            }
            if (tookPhone.length > 0) {
                chain = chain.chain(() -> tx.preparedQuery(WINDOWS_TAKE_PHONE).execute(Tuple.of((Object) tookPhone))
                        .replaceWithVoid());
            }
            return chain;
        }

        private static Tuple rows(java.util.Collection<Known> contacts, OffsetDateTime at) {
            Set<Known> all = new LinkedHashSet<>(contacts);
            return Tuple.tuple().addArrayOfString(all.stream().map(k -> k.id).toArray(String[]::new))
                    .addArrayOfString(all.stream().map(k -> k.phone).toArray(String[]::new))
                    .addArrayOfString(all.stream().map(k -> k.userId).toArray(String[]::new))
                    .addArrayOfString(all.stream().map(k -> k.username).toArray(String[]::new))
                    .addOffsetDateTime(at);
        }
    }
}
