package wagateway.contact;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
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
 * Derivation follows the time each change happened ({@code recorded_at}: Meta's timestamp for what the
 * customer did in WhatsApp, the time the gateway received it for an API change), not the order changes
 * arrive in: webhooks come late and out of order, so a {@code resume} older than the last {@code stop} must
 * not undo it. Times are compared to the second, the precision of Meta's timestamps (an API change at
 * 12:00:00.700 and a STOP Meta stamps 12:00:00 happened in the same second, order unknown); on equal times the
 * later arrival (the higher id) wins. The trail keeps every change either way.
 * The last scope-{@code all} change sets {@code consent_status} and {@code consent_categories}; the marketing
 * opt-out is set by the last scope-{@code marketing} change or lifted by a later opt-in that covers marketing
 * (no categories, or marketing among them).
 */
@ApplicationScoped
public class ConsentLedger {

    /**
     * Locks the contacts (in id order), so concurrent changes to one contact are recorded and derived in order.
     * The contacts exist: callers resolve them first ({@link ContactResolver}).
     */
    private static final String LOCK_CONTACTS = "select 1 from contact where id = any($1) order by id for update";

    /**
     * In the order given; a change with the same contact, status, scope, source and evidence is recorded
     * once.
     */
    private static final String APPEND = """
            insert into consent_event (contact_id, phone, status, scope, categories, source, actor, evidence, recorded_at)
            select u.contact_id, (select c.phone from contact c where c.id = u.contact_id), u.status, u.scope,
                case when u.categories is null then null else array(select jsonb_array_elements_text(u.categories::jsonb)) end,
                u.source, u.actor, u.evidence, u.recorded_at
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
                with ordinality as u(contact_id, status, scope, categories, source, actor, evidence, recorded_at, ord)
            where u.evidence is null or not exists (select 1 from consent_event e where e.contact_id = u.contact_id
                and e.status = u.status and e.scope = u.scope and e.source = u.source and e.evidence = u.evidence)
            order by u.ord
            returning contact_id, recorded_at""";

    /**
     * What the whole trail leaves on each contact that got a change, latest change first by the time it happened
     * (then by arrival): the last scope-{@code all} change (its status and categories; none: unchanged), and the
     * last change that says something about marketing (a marketing-scope change, or an opt-in covering marketing).
     */
    private static final String DERIVE = """
            update contact c set
                consent_status = coalesce(a.status, c.consent_status),
                consent_categories = case when a.id is null then c.consent_categories else a.categories end,
                marketing_opted_out = coalesce(m.opted_out, c.marketing_opted_out),
                updated_at = greatest(c.updated_at, u.at)
            from unnest($1::text[], $2::timestamptz[]) as u(contact_id, at)
            left join lateral (select e.id, e.status, e.categories from consent_event e
                where e.contact_id = u.contact_id and e.scope = 'all'
                order by date_trunc('second', e.recorded_at) desc, e.id desc limit 1) a on true
            left join lateral (select e.scope = 'marketing' and e.status = 'opted_out' as opted_out from consent_event e
                where e.contact_id = u.contact_id and (e.scope = 'marketing'
                    or e.status = 'opted_in' and (e.categories is null or 'marketing' = any(e.categories)))
                order by date_trunc('second', e.recorded_at) desc, e.id desc limit 1) m on true
            where c.id = u.contact_id""";

    /** @return true when the change was appended, false when the same evidence was already on record */
    public Uni<Boolean> record(SqlClient tx, ConsentChange change) {
        return recordAll(tx, List.of(change)).map(appended -> appended > 0);
    }

    /**
     * Records changes (appended in the order given, derived by the time each happened) in at most three
     * statements whatever their number: lock their contacts, append to the trail, derive.
     *
     * @return how many were appended (a change whose evidence was already on record is not)
     */
    public Uni<Integer> recordAll(SqlClient tx, List<ConsentChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        // every change locks its contact, appended or not
        return lock(tx, changes).chain(() -> append(tx, once(changes))).chain(appended -> derive(tx, appended)
                .replaceWith(appended.size()));
    }

    /**
     * Of changes with the same evidence (contact, status, scope, source, evidence), the first: the others would not be
     * appended.
     */
    private static List<ConsentChange> once(List<ConsentChange> changes) {
        Set<List<String>> seen = new HashSet<>();
        List<ConsentChange> once = new ArrayList<>(changes.size());
        for (ConsentChange c : changes) {
            if (c.evidence() == null
                    || seen.add(Arrays.asList(c.contactId(), c.status(), c.scope(), c.source(), c.evidence()))) {
                once.add(c);
            }
        }
        return once;
    }

    private static Uni<Void> lock(SqlClient tx, List<ConsentChange> changes) {
        String[] ids = changes.stream().map(ConsentChange::contactId).distinct().sorted().toArray(String[]::new);
        return tx.preparedQuery(LOCK_CONTACTS).execute(Tuple.of((Object) ids)).replaceWithVoid();
    }

    /** One row of the trail as appended. */
    private record Appended(String contactId, Instant at) {

        static Appended of(Row row) {
            return new Appended(row.getString("contact_id"), Times.instant(row.getOffsetDateTime("recorded_at")));
        }
    }

    private static Uni<List<Appended>> append(SqlClient tx, List<ConsentChange> changes) {
        int n = changes.size();
        String[] contactIds = new String[n];
        String[] statuses = new String[n];
        String[] scopes = new String[n];
        String[] categories = new String[n];
        String[] sources = new String[n];
        String[] actors = new String[n];
        String[] evidence = new String[n];
        OffsetDateTime[] ats = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            ConsentChange c = changes.get(i);
            contactIds[i] = c.contactId();
            statuses[i] = c.status();
            scopes[i] = c.scope();
            categories[i] = c.categories() == null ? null : new JsonArray(new ArrayList<>(c.categories())).encode();
            sources[i] = c.source();
            actors[i] = c.actor();
            evidence[i] = c.evidence();
            ats[i] = Times.utc(c.recordedAt());
        }
        return tx.preparedQuery(APPEND).execute(Tuple.tuple().addArrayOfString(contactIds).addArrayOfString(statuses)
                .addArrayOfString(scopes).addArrayOfString(categories).addArrayOfString(sources)
                .addArrayOfString(actors).addArrayOfString(evidence).addArrayOfOffsetDateTime(ats))
                .map(rows -> {
                    List<Appended> appended = new ArrayList<>();
                    rows.forEach(row -> appended.add(Appended.of(row)));
                    return appended;
                });
    }

    /** Derives the state of every contact that got a change from its whole trail. */
    private static Uni<Void> derive(SqlClient tx, List<Appended> appended) {
        if (appended.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, Instant> latest = new TreeMap<>();
        for (Appended a : appended) {
            latest.merge(a.contactId(), a.at(), (x, y) -> x.isAfter(y) ? x : y);
        }
        return derive(tx, latest);
    }

    /** Derives the state of these contacts from their whole trail again (a merge brought them another's trail). */
    Uni<Void> derive(SqlClient tx, List<String> contactIds, Instant now) {
        Map<String, Instant> at = new TreeMap<>();
        contactIds.forEach(id -> at.put(id, now));
        return derive(tx, at);
    }

    private static Uni<Void> derive(SqlClient tx, Map<String, Instant> latest) {
        String[] contactIds = latest.keySet().toArray(String[]::new);
        OffsetDateTime[] ats = latest.values().stream().map(Times::utc).toArray(OffsetDateTime[]::new);
        return tx.preparedQuery(DERIVE).execute(Tuple.tuple().addArrayOfString(contactIds).addArrayOfOffsetDateTime(ats))
                .replaceWithVoid();
    }
}
