package wagateway.message;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.support.Times;

/**
 * SQL access to {@code outbound_message} for the API. Uses the reactive PostgreSQL client directly: the
 * accept path is one statement per message (one per batch), which is what lets it approach the
 * database's own insert rate.
 */
@ApplicationScoped
public class MessageRepository {

    static final String COLUMNS = "id, sender, recipient, type, category, priority, content, reply_to, "
            + "fallback_template is not null as has_fallback, callback_url, metadata, status, reason, send_at, "
            + "expires_at, attempts, wamid, error_code, error_title, error_detail, sent_template, created_at, "
            + "updated_at, sent_at, request_hash";

    /**
     * Inserts every message of a batch in one statement (arrays unnested server-side), so a batch of
     * 1,000 costs one round trip and one commit. Idempotency conflicts are skipped, not failed.
     */
    private static final String INSERT = "insert into outbound_message (id, api_key_id, idempotency_key, "
            + "request_hash, sender, recipient, type, category, priority, content, reply_to, fallback_template, "
            + "callback_url, metadata, status, send_at, expires_at, next_attempt_at, created_at, updated_at) "
            + "select id, api_key_id, idem, hash, sender, recipient, type, category, priority::smallint, content::jsonb, "
            + "reply_to, fallback::jsonb, callback_url, metadata::jsonb, status, send_at, expires_at, due, created, created "
            + "from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
            + "$8::text[], $9::int[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], "
            + "$16::timestamptz[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[]) "
            + "as t(id, api_key_id, idem, hash, sender, recipient, type, category, priority, content, reply_to, "
            + "fallback, callback_url, metadata, status, send_at, expires_at, due, created) "
            + "on conflict (api_key_id, idempotency_key) where idempotency_key is not null do nothing returning id";

    private final Pool pool;
    private final ObjectMapper mapper;

    MessageRepository(Pool pool, ObjectMapper mapper) {
        this.pool = pool;
        this.mapper = mapper;
    }

    /** @return the ids actually inserted (an idempotency conflict leaves its id out) */
    public Uni<List<UUID>> insert(List<NewMessage> messages) {
        int n = messages.size();
        UUID[] ids = new UUID[n];
        String[] apiKeys = new String[n], idem = new String[n], hashes = new String[n], senders = new String[n],
                recipients = new String[n], types = new String[n], categories = new String[n], contents = new String[n],
                replyTos = new String[n], fallbacks = new String[n], callbacks = new String[n], metadata = new String[n],
                statuses = new String[n];
        Integer[] priorities = new Integer[n];
        OffsetDateTime[] sendAts = new OffsetDateTime[n], expiresAts = new OffsetDateTime[n], dues = new OffsetDateTime[n],
                createds = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            NewMessage m = messages.get(i);
            ids[i] = m.id();
            apiKeys[i] = m.apiKeyId();
            idem[i] = m.idempotencyKey();
            hashes[i] = m.requestHash();
            senders[i] = m.sender();
            recipients[i] = m.recipient();
            types[i] = m.type();
            categories[i] = m.category();
            priorities[i] = m.priority().rank();
            contents[i] = json(m.content());
            replyTos[i] = m.replyTo();
            fallbacks[i] = m.fallbackTemplate() == null ? null : json(m.fallbackTemplate());
            callbacks[i] = m.callbackUrl();
            metadata[i] = m.metadata() == null ? null : json(m.metadata());
            statuses[i] = m.initialStatus().value();
            sendAts[i] = Times.utc(m.sendAt());
            expiresAts[i] = Times.utc(m.expiresAt());
            dues[i] = Times.utc(m.dueAt());
            createds[i] = Times.utc(m.createdAt());
        }
        Tuple params = Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(apiKeys).addArrayOfString(idem)
                .addArrayOfString(hashes).addArrayOfString(senders).addArrayOfString(recipients)
                .addArrayOfString(types).addArrayOfString(categories).addArrayOfInteger(priorities)
                .addArrayOfString(contents).addArrayOfString(replyTos).addArrayOfString(fallbacks)
                .addArrayOfString(callbacks).addArrayOfString(metadata).addArrayOfString(statuses)
                .addArrayOfOffsetDateTime(sendAts).addArrayOfOffsetDateTime(expiresAts)
                .addArrayOfOffsetDateTime(dues).addArrayOfOffsetDateTime(createds);
        return pool.preparedQuery(INSERT).execute(params).map(rows -> {
            List<UUID> inserted = new ArrayList<>(rows.rowCount());
            rows.forEach(row -> inserted.add(row.getUUID(0)));
            return inserted;
        });
    }

    public Uni<Optional<StoredMessage>> findByIdempotencyKey(String apiKeyId, String key) {
        return pool.preparedQuery("select " + COLUMNS + " from outbound_message where api_key_id = $1 and idempotency_key = $2")
                .execute(Tuple.of(apiKeyId, key)).map(rows -> first(rows).map(MessageRepository::stored));
    }

    public Uni<Optional<StoredMessage>> findById(UUID id) {
        return findById(pool, id);
    }

    Uni<Optional<StoredMessage>> findById(SqlClient client, UUID id) {
        return client.preparedQuery("select " + COLUMNS + ", (select coalesce(json_agg(json_build_object("
                + "'status', e.status, 'source', e.source, 'at', e.occurred_at, 'errorCode', e.error_code, "
                + "'errorTitle', e.error_title, 'errorDetail', e.error_detail, 'details', e.details) order by e.id), "
                + "'[]'::json) from message_event e where e.message_id = m.id) as timeline "
                + "from outbound_message m where id = $1")
                .execute(Tuple.of(id)).map(rows -> first(rows).map(MessageRepository::stored));
    }

    /** Newest first; {@code after} is the id of the last item of the previous page. */
    /**
     * Every identifier of the contact named by {@code $1} (phone, business-scoped user id or contact id): the ones
     * it holds and the ones it wrote with before a number or user-id change.
     */
    private static final String IDENTIFIERS = """
            array(select k from contact c, lateral (select c.phone union select c.user_id
                union select i.from_phone from inbound_message i where i.contact_id = c.id
                union select i.from_user_id from inbound_message i where i.contact_id = c.id) as v(k)
            where (c.id = $1 or c.phone = $1 or c.user_id = $1) and k is not null)""";

    public Uni<List<StoredMessage>> list(String to, String status, UUID after, int limit) {
        List<String> where = new ArrayList<>();
        Tuple params = Tuple.tuple();
        if (to != null) {
            // a phone, a business-scoped user id or a contact id: the messages to any identifier of that contact
            params.addString(to);
            int p = params.size();
            where.add("(recipient = $" + p + " or recipient = any(" + IDENTIFIERS.replace("$1", "$" + p) + "))");
        }
        if (status != null) {
            params.addString(status);
            where.add("status = $" + params.size());
        }
        if (after != null) {
            params.addUUID(after);
            where.add("id < $" + params.size());
        }
        params.addInteger(limit);
        String sql = "select " + COLUMNS + " from outbound_message"
                + (where.isEmpty() ? "" : " where " + String.join(" and ", where))
                + " order by id desc limit $" + params.size();
        return pool.preparedQuery(sql).execute(params).map(rows -> {
            List<StoredMessage> out = new ArrayList<>();
            rows.forEach(row -> out.add(stored(row)));
            return out;
        });
    }

    private static Optional<Row> first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    }

    static StoredMessage stored(Row row) {
        JsonArray timeline = row.getColumnIndex("timeline") >= 0 ? jsonArray(row.getValue("timeline")) : null;
        JsonObject metadata = (JsonObject) row.getValue("metadata");
        Object content = row.getValue("content");
        return new StoredMessage(row.getUUID("id"), row.getString("sender"), row.getString("recipient"),
                row.getString("type"), row.getString("category"), Priority.ofRank(row.getShort("priority")),
                content instanceof JsonObject o ? o.getMap() : null, row.getString("reply_to"),
                row.getBoolean("has_fallback"), row.getString("callback_url"),
                metadata == null ? null : toStringMap(metadata), MessageStatus.parse(row.getString("status")).orElseThrow(),
                row.getString("reason"), instant(row, "send_at"), instant(row, "expires_at"), row.getInteger("attempts"),
                row.getString("wamid"), row.getInteger("error_code"), row.getString("error_title"),
                row.getString("error_detail"), row.getBoolean("sent_template"), instant(row, "created_at"),
                instant(row, "updated_at"), instant(row, "sent_at"), row.getString("request_hash"),
                timeline == null ? null : timeline(timeline));
    }

    private static List<StoredMessage.TimelineEntry> timeline(JsonArray events) {
        List<StoredMessage.TimelineEntry> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            JsonObject e = events.getJsonObject(i);
            JsonObject details = e.getJsonObject("details");
            out.add(new StoredMessage.TimelineEntry(e.getString("status"), e.getString("source"),
                    OffsetDateTime.parse(e.getString("at")).toInstant(), e.getInteger("errorCode"),
                    e.getString("errorTitle"), e.getString("errorDetail"), details == null ? null : details.getMap()));
        }
        return out;
    }

    private static JsonArray jsonArray(Object value) {
        if (value instanceof JsonArray array) {
            return array;
        }
        return value == null ? new JsonArray() : new JsonArray(value.toString());
    }

    private static Map<String, String> toStringMap(JsonObject object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.forEach(e -> out.put(e.getKey(), e.getValue() == null ? null : e.getValue().toString()));
        return out;
    }

    static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot serialise message content", e);
        }
    }
}
