package wagateway.contact;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.support.Times;

/**
 * The append-only consent audit trail and the state derived from it. Every consent change, whatever its
 * source (API, keyword, user_preferences, 131050), goes through {@link #recordAll} ({@link #record} for one),
 * inside the caller's transaction, so the trail and the contact's derived state never disagree.
 *
 * <p>
 * Derivation, change after change in the order recorded: a scope-{@code all} change sets {@code consent_status}
 * and {@code consent_categories}; an opt-in that covers marketing (no categories, or marketing among them) also
 * lifts a marketing opt-out. A scope-{@code marketing} change sets {@code marketing_opted_out} only.
 */
@ApplicationScoped
public class ConsentLedger {

    /**
     * The upsert locks the contacts (in phone order), so concurrent changes to one contact are recorded and
     * derived in order; per phone, the user id of its last change that has one, and the time of its first change.
     */
    private static final String LOCK_CONTACTS = """
            insert into contact as c (phone, user_id, created_at, updated_at)
            select u.phone, u.user_id, u.at, u.at from unnest($1::text[], $2::text[], $3::timestamptz[]) as u(phone, user_id, at)
            on conflict (phone) do update set user_id = coalesce(excluded.user_id, c.user_id)""";

    /** In the order given; a change with the same phone, status, scope, source and evidence is recorded once. */
    private static final String APPEND = """
            insert into consent_event (phone, status, scope, categories, source, actor, evidence, recorded_at)
            select u.phone, u.status, u.scope,
                case when u.categories is null then null else array(select jsonb_array_elements_text(u.categories::jsonb)) end,
                u.source, u.actor, u.evidence, u.recorded_at
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
                with ordinality as u(phone, status, scope, categories, source, actor, evidence, recorded_at, ord)
            where u.evidence is null or not exists (select 1 from consent_event e where e.phone = u.phone
                and e.status = u.status and e.scope = u.scope and e.source = u.source and e.evidence = u.evidence)
            order by u.ord
            returning id, phone, status, scope, categories, recorded_at""";

    /**
     * What the appended changes leave on each contact: the last scope-{@code all} change (its status and
     * categories, null: none), the marketing opt-out (null: untouched), the time of the last change.
     */
    private static final String DERIVE = """
            update contact c set
                consent_status = coalesce(e.status, c.consent_status),
                consent_categories = case when e.id is null then c.consent_categories else e.categories end,
                marketing_opted_out = coalesce(u.marketing_opted_out, c.marketing_opted_out),
                updated_at = u.at
            from unnest($1::text[], $2::bigint[], $3::bool[], $4::timestamptz[]) as u(phone, last_all, marketing_opted_out, at)
            left join consent_event e on e.id = u.last_all
            where c.phone = u.phone""";

    /** @return true when the change was appended, false when the same evidence was already on record */
    public Uni<Boolean> record(SqlClient tx, ConsentChange change) {
        return recordAll(tx, List.of(change)).map(appended -> appended > 0);
    }

    /**
     * Records changes in the order given, with the result of recording them one after the other, in at most
     * three statements whatever their number: lock their contacts, append to the trail, derive.
     *
     * @return how many were appended (a change whose evidence was already on record is not)
     */
    public Uni<Integer> recordAll(SqlClient tx, List<ConsentChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        // every change locks its contact and teaches its user id, appended or not
        return lock(tx, changes).chain(() -> append(tx, once(changes))).chain(appended -> derive(tx, appended)
                .replaceWith(appended.size()));
    }

    /**
     * Of changes with the same evidence (phone, status, scope, source, evidence), the first: the others would not be appended.
     */
    private static List<ConsentChange> once(List<ConsentChange> changes) {
        Set<List<String>> seen = new HashSet<>();
        List<ConsentChange> once = new ArrayList<>(changes.size());
        for (ConsentChange c : changes) {
            if (c.evidence() == null
                    || seen.add(Arrays.asList(c.phone(), c.status(), c.scope(), c.source(), c.evidence()))) {
                once.add(c);
            }
        }
        return once;
    }

    private static Uni<Void> lock(SqlClient tx, List<ConsentChange> changes) {
        Map<String, ConsentChange> first = new TreeMap<>();
        Map<String, String> userIds = new LinkedHashMap<>();
        for (ConsentChange c : changes) {
            first.putIfAbsent(c.phone(), c);
            if (c.userId() != null) {
                userIds.put(c.phone(), c.userId());
            }
        }
        int n = first.size();
        String[] phones = new String[n];
        String[] users = new String[n];
        OffsetDateTime[] ats = new OffsetDateTime[n];
        int i = 0;
        for (Map.Entry<String, ConsentChange> entry : first.entrySet()) {
            phones[i] = entry.getKey();
            users[i] = userIds.get(entry.getKey());
            ats[i] = Times.utc(entry.getValue().recordedAt());
            i++;
        }
        return tx.preparedQuery(LOCK_CONTACTS).execute(Tuple.tuple().addArrayOfString(phones).addArrayOfString(users)
                .addArrayOfOffsetDateTime(ats)).replaceWithVoid();
    }

    /** One row of the trail as appended. */
    private record Appended(long id, String phone, String status, String scope, String[] categories, Instant at) {

        static Appended of(Row row) {
            return new Appended(row.getLong("id"), row.getString("phone"), row.getString("status"),
                    row.getString("scope"), row.getArrayOfStrings("categories"),
                    Times.instant(row.getOffsetDateTime("recorded_at")));
        }
    }

    private static Uni<List<Appended>> append(SqlClient tx, List<ConsentChange> changes) {
        int n = changes.size();
        String[] phones = new String[n];
        String[] statuses = new String[n];
        String[] scopes = new String[n];
        String[] categories = new String[n];
        String[] sources = new String[n];
        String[] actors = new String[n];
        String[] evidence = new String[n];
        OffsetDateTime[] ats = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            ConsentChange c = changes.get(i);
            phones[i] = c.phone();
            statuses[i] = c.status();
            scopes[i] = c.scope();
            categories[i] = c.categories() == null ? null : new JsonArray(new ArrayList<>(c.categories())).encode();
            sources[i] = c.source();
            actors[i] = c.actor();
            evidence[i] = c.evidence();
            ats[i] = Times.utc(c.recordedAt());
        }
        return tx.preparedQuery(APPEND).execute(Tuple.tuple().addArrayOfString(phones).addArrayOfString(statuses)
                .addArrayOfString(scopes).addArrayOfString(categories).addArrayOfString(sources)
                .addArrayOfString(actors).addArrayOfString(evidence).addArrayOfOffsetDateTime(ats))
                .map(rows -> {
                    List<Appended> appended = new ArrayList<>();
                    rows.forEach(row -> appended.add(Appended.of(row)));
                    appended.sort((a, b) -> Long.compare(a.id(), b.id()));
                    return appended;
                });
    }

    /** Walks the appended changes in order, per contact, and writes what they leave. */
    private static Uni<Void> derive(SqlClient tx, List<Appended> appended) {
        if (appended.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, Derived> byPhone = new TreeMap<>();
        for (Appended a : appended) {
            Derived d = byPhone.computeIfAbsent(a.phone(), p -> new Derived());
            d.at = a.at();
            if (ConsentChange.SCOPE_MARKETING.equals(a.scope())) {
                d.marketingOptedOut = ConsentChange.OPTED_OUT.equals(a.status());
            } else {
                d.lastAll = a.id();
                if (ConsentChange.OPTED_IN.equals(a.status())
                        && (a.categories() == null || Arrays.asList(a.categories()).contains("marketing"))) {
                    d.marketingOptedOut = false;
                }
            }
        }
        int n = byPhone.size();
        String[] phones = new String[n];
        Long[] lastAll = new Long[n];
        Boolean[] marketing = new Boolean[n];
        OffsetDateTime[] ats = new OffsetDateTime[n];
        int i = 0;
        for (Map.Entry<String, Derived> entry : byPhone.entrySet()) {
            phones[i] = entry.getKey();
            lastAll[i] = entry.getValue().lastAll;
            marketing[i] = entry.getValue().marketingOptedOut;
            ats[i] = Times.utc(entry.getValue().at);
            i++;
        }
        return tx.preparedQuery(DERIVE).execute(Tuple.tuple().addArrayOfString(phones).addArrayOfLong(lastAll)
                .addArrayOfBoolean(marketing).addArrayOfOffsetDateTime(ats)).replaceWithVoid();
    }

    /** What a contact's appended changes leave: null for what they do not touch. */
    private static final class Derived {
        Long lastAll;
        Boolean marketingOptedOut;
        Instant at;
    }
}
