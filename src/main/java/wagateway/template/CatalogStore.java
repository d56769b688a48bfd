package wagateway.template;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.cloudapi.webhook.TemplateChange;
import wagateway.event.EventOutbox;
import wagateway.wakeup.CatalogSignal;

/**
 * Writes the catalogue, inside the caller's transaction: a whole account from a sync ({@link #replace}) or one
 * template webhook ({@link #apply}). Each change of a known template's status, category or quality appends a
 * {@code template.status} event in the same transaction (so an event exists exactly when its change does), and
 * every write NOTIFYs the replicas ({@link CatalogSignal}), delivered at commit.
 */
@ApplicationScoped
public class CatalogStore {

    public static final String EVENT = "template.status";

    private static final String CURRENT = """
            select name, language, status, category, quality from message_template where waba_id = $1
            order by name, language for update""";

    private static final String UPSERT = """
            insert into message_template (waba_id, name, language, meta_id, status, category, quality,
                parameter_format, components, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            on conflict (waba_id, name, language) do update set meta_id = excluded.meta_id, status = excluded.status,
                category = excluded.category, quality = excluded.quality, parameter_format = excluded.parameter_format,
                components = excluded.components, updated_at = excluded.updated_at,
                paused_until = case when excluded.status = 'PAUSED' then message_template.paused_until end""";

    /** Templates the account no longer lists are gone (deleted at Meta). */
    private static final String DELETE_GONE = """
            delete from message_template where waba_id = $1
                and (name, language) not in (select * from unnest($2::text[], $3::text[]))""";

    private static final String SYNCED = """
            insert into template_catalog (waba_id, synced_at) values ($1, $2)
            on conflict (waba_id) do update set synced_at = excluded.synced_at""";

    private static final String APPLY = """
            update message_template set status = coalesce($4, status), category = coalesce($5, category),
                quality = coalesce($6, quality), updated_at = $7,
                paused_until = case when $4::text is null then paused_until when $4::text = 'PAUSED' then $8 end
            where waba_id = $1 and name = $2 and language = $3""";

    /**
     * Takes the account's on-demand sync slot, at most once per {@code $3} seconds, across replicas: the row
     * comes back only to the one replica whose insert or update won.
     */
    private static final String DEMAND = """
            insert into template_catalog as c (waba_id, synced_at, demanded_at) values ($1, null, $2)
            on conflict (waba_id) do update set demanded_at = excluded.demanded_at
                where c.demanded_at is null or c.demanded_at <= excluded.demanded_at - $3 * interval '1 second'
            returning waba_id""";

    /** Meta's status events that set a status; REINSTATED means approved again; the others (FLAGGED…) set none. */
    private static final Set<String> STATUS_EVENTS = Set.of("APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED",
            "DELETED", "PENDING_DELETION", "ARCHIVED", "IN_APPEAL");

    private final EventOutbox outbox;

    CatalogStore(EventOutbox outbox) {
        this.outbox = outbox;
    }

    private record Known(String status, String category, String quality) {
    }

    /** Replaces the account's catalogue with a whole read of it. @return the events it appended */
    Uni<Integer> replace(SqlClient tx, String wabaId, List<TemplateFacts> fresh, Instant now) {
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        return tx.preparedQuery(CURRENT).execute(Tuple.of(wabaId)).chain(rows -> {
            Map<String, Known> known = new HashMap<>();
            for (Row row : rows) {
                known.put(row.getString("name") + "\u0000" + row.getString("language"),
                        new Known(row.getString("status"), row.getString("category"), row.getString("quality")));
            }
            List<EventOutbox.NewEvent> events = new ArrayList<>();
            List<Tuple> upserts = new ArrayList<>();
            Map<String, TemplateFacts> unique = new HashMap<>();
            fresh.forEach(t -> unique.put(t.name() + "\u0000" + t.language(), t));
            for (TemplateFacts t : unique.values()) {
                Known before = known.get(t.name() + "\u0000" + t.language());
                if (before != null) {
                    event(wabaId, t.name(), t.language(), before, new Known(t.status(), t.category(), t.quality()),
                            null, "sync").ifPresent(events::add);
                }
                upserts.add(Tuple.tuple().addString(wabaId).addString(t.name()).addString(t.language())
                        .addString(t.metaId()).addString(t.status()).addString(t.category()).addString(t.quality())
                        .addString(t.parameterFormat()).addString(t.components()).addOffsetDateTime(at));
            }
            String[] names = unique.values().stream().map(TemplateFacts::name).toArray(String[]::new);
            String[] languages = unique.values().stream().map(TemplateFacts::language).toArray(String[]::new);
            Uni<Void> written = upserts.isEmpty() ? Uni.createFrom().voidItem()
                    : tx.preparedQuery(UPSERT).executeBatch(upserts).replaceWithVoid();
            return written
                    .chain(() -> tx.preparedQuery(DELETE_GONE).execute(Tuple.of(wabaId, names, languages)))
                    .chain(() -> tx.preparedQuery(SYNCED).execute(Tuple.of(wabaId, at)))
                    .chain(() -> outbox.appendAll(tx, events))
                    .chain(() -> tx.preparedQuery(CatalogSignal.NOTIFY).execute(Tuple.of(wabaId)))
                    .replaceWith(events.size());
        });
    }

    /** Applies one template webhook to a template the catalogue knows. @return whether it changed anything */
    Uni<Boolean> apply(SqlClient tx, TemplateChange change, Instant now) {
        String status = change.status() == null ? null
                : "REINSTATED".equals(change.status()) ? TemplateFacts.APPROVED
                        : STATUS_EVENTS.contains(change.status()) ? change.status() : null;
        if (status == null && change.category() == null && change.quality() == null) {
            return Uni.createFrom().item(false);
        }
        return tx.preparedQuery("""
                select status, category, quality from message_template
                where waba_id = $1 and name = $2 and language = $3 for update""")
                .execute(Tuple.of(change.wabaId(), change.name(), change.language())).chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Uni.createFrom().item(false); // not in the catalogue yet: the sync it causes brings it
                    }
                    Row row = rows.iterator().next();
                    Known before = new Known(row.getString("status"), row.getString("category"), row.getString("quality"));
                    Known after = new Known(status != null ? status : before.status(),
                            change.category() != null ? change.category() : before.category(),
                            change.quality() != null ? change.quality() : before.quality());
                    // a pause with a known length ends then (a second pause may come on a pause already over)
                    Instant pausedUntil = "PAUSED".equals(status) && change.pause() != null ? now.plus(change.pause())
                            : null;
                    var event = event(change.wabaId(), change.name(), change.language(), before, after,
                            change.reason(), change.field())
                            .map(e -> pausedUntil == null ? e : withPausedUntil(e, pausedUntil));
                    if (event.isEmpty() && pausedUntil == null) {
                        return Uni.createFrom().item(false);
                    }
                    return tx.preparedQuery(APPLY).execute(Tuple.tuple().addString(change.wabaId())
                            .addString(change.name()).addString(change.language()).addString(status)
                            .addString(change.category()).addString(change.quality())
                            .addOffsetDateTime(now.atOffset(ZoneOffset.UTC))
                            .addOffsetDateTime(pausedUntil == null ? null : pausedUntil.atOffset(ZoneOffset.UTC)))
                            .chain(() -> outbox.appendAll(tx, event.map(List::of).orElse(List.of())))
                            .chain(() -> tx.preparedQuery(CatalogSignal.NOTIFY).execute(Tuple.of(change.wabaId())))
                            .replaceWith(true);
                });
    }

    private static EventOutbox.NewEvent withPausedUntil(EventOutbox.NewEvent event, Instant pausedUntil) {
        event.payload().put("pausedUntil", pausedUntil.toString());
        return event;
    }

    /** Takes the account's on-demand sync slot; @return whether this caller may sync now */
    Uni<Boolean> demand(SqlClient client, String wabaId, Instant now, java.time.Duration every) {
        return client.preparedQuery(DEMAND)
                .execute(Tuple.of(wabaId, now.atOffset(ZoneOffset.UTC), (int) every.toSeconds()))
                .map(rows -> rows.iterator().hasNext());
    }

    /** The {@code template.status} event of a change, if anything the business sees changed (docs/webhooks.md). */
    private static java.util.Optional<EventOutbox.NewEvent> event(String wabaId, String name, String language,
            Known before, Known after, String reason, String cause) {
        if (Objects.equals(before, after)) {
            return java.util.Optional.empty();
        }
        JsonObject payload = new JsonObject().put("wabaId", wabaId).put("name", name).put("language", language)
                .put("status", after.status()).put("previousStatus", before.status())
                .put("category", after.category()).put("previousCategory", before.category())
                .put("quality", after.quality()).put("previousQuality", before.quality())
                .put("cause", cause);
        if (reason != null && !"NONE".equals(reason)) {
            payload.put("reason", reason);
        }
        return java.util.Optional.of(new EventOutbox.NewEvent(EVENT, null, null, null, payload));
    }
}
