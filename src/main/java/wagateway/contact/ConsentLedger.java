package wagateway.contact;

import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The append-only consent audit trail and the state derived from it. Every consent change, whatever its
 * source (API, keyword, user_preferences, 131050), goes through {@link #record}, inside the caller's
 * transaction, so the trail and the contact's derived state never disagree.
 *
 * <p>
 * Derivation: a scope-{@code all} change sets {@code consent_status} and {@code consent_categories}; an
 * opt-in that covers marketing (no categories, or marketing among them) also lifts a marketing opt-out. A
 * scope-{@code marketing} change sets {@code marketing_opted_out} only.
 */
@ApplicationScoped
public class ConsentLedger {

    // The upsert locks the contact row, so concurrent changes to one contact are recorded and derived in order.
    private static final String LOCK_CONTACT = """
            insert into contact as c (phone, user_id, created_at, updated_at) values ($1, $2, $3, $3)
            on conflict (phone) do update set user_id = coalesce($2, c.user_id)""";

    private static final String APPEND = """
            insert into consent_event (phone, status, scope, categories, source, actor, evidence, recorded_at)
            select $1, $2, $3, $4, $5, $6, $7, $8
            where $7::text is null or not exists (select 1 from consent_event e where e.phone = $1 and e.status = $2
                and e.scope = $3 and e.source = $5 and e.evidence = $7)
            returning id""";

    private static final String DERIVE_ALL = """
            update contact set consent_status = $2, consent_categories = $3,
                marketing_opted_out = case when $2 = 'opted_in' and ($3::text[] is null or 'marketing' = any($3::text[]))
                    then false else marketing_opted_out end,
                updated_at = $4
            where phone = $1""";

    private static final String DERIVE_MARKETING = """
            update contact set marketing_opted_out = ($2 = 'opted_out'), updated_at = $3 where phone = $1""";

    /** @return true when the change was appended, false when the same evidence was already on record */
    public Uni<Boolean> record(SqlClient tx, ConsentChange change) {
        var at = change.recordedAt().atOffset(ZoneOffset.UTC);
        String[] categories = change.categories() == null ? null : change.categories().toArray(String[]::new);
        return tx.preparedQuery(LOCK_CONTACT).execute(Tuple.of(change.phone(), change.userId(), at))
                .chain(() -> tx.preparedQuery(APPEND).execute(Tuple.tuple().addString(change.phone())
                        .addString(change.status()).addString(change.scope()).addArrayOfString(categories)
                        .addString(change.source()).addString(change.actor()).addString(change.evidence())
                        .addOffsetDateTime(at)))
                .chain(appended -> {
                    if (appended.rowCount() == 0) {
                        return Uni.createFrom().item(false);
                    }
                    Uni<?> derive = ConsentChange.SCOPE_MARKETING.equals(change.scope())
                            ? tx.preparedQuery(DERIVE_MARKETING).execute(Tuple.of(change.phone(), change.status(), at))
                            : tx.preparedQuery(DERIVE_ALL).execute(Tuple.tuple().addString(change.phone())
                                    .addString(change.status()).addArrayOfString(categories).addOffsetDateTime(at));
                    return derive.replaceWith(true);
                });
    }
}
