package wagateway.conversation;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads one customer's thread: inbound and outbound messages interleaved, newest first, one SQL per page.
 * Each arm of the UNION ALL is a backward range scan of an index from the cursor, limited to the page size
 * (outbound: (recipient, id), by the time in the UUIDv7; inbound: (from_phone, sent_at, id)), so a page costs
 * the same at the start of a long thread as deep inside it. Ties in time go by id, descending.
 */
@ApplicationScoped
public class ThreadReader {

    /**
     * The columns of a thread item, outbound; its time is the one in its UUIDv7 id. Placeholders: the phone,
     * an extra condition, the limit.
     */
    static final String OUTBOUND = """
            select 'outbound'::text as direction, id, uuid7_time(id) as at, type, content, status, wamid, error_code,
                error_title, error_detail, created_at, sent_at, reply_to as context_wamid, sent_template,
                null::timestamptz as read_at
            from outbound_message where recipient = %1$s %2$s order by id desc limit %3$s""";
    /** The same columns, inbound; its time is Meta's timestamp. */
    static final String INBOUND = """
            select 'inbound'::text, id, sent_at, type, content, null::text, wamid, null::integer, null::text,
                null::text, null::timestamptz, null::timestamptz, context_wamid, null::boolean, read_at
            from inbound_message where from_phone = %1$s %2$s order by sent_at desc, id desc limit %3$s""";
    /** Our id of the quoted message, looked up for the page's rows only. */
    private static final String PAGE = """
            select t.*, coalesce((select o.id from outbound_message o where o.wamid = t.context_wamid),
                                 (select i.id from inbound_message i where i.wamid = t.context_wamid)) as context_id
            from ((%s) union all (%s)) t order by t.at desc, t.id desc limit $2""";

    static final String FIRST_PAGE = PAGE.formatted(OUTBOUND.formatted("$1", "", "$2"),
            INBOUND.formatted("$1", "", "$2"));
    static final String NEXT_PAGE = PAGE.formatted(OUTBOUND.formatted("$1", "and id < $5", "$2"),
            INBOUND.formatted("$1", "and (sent_at, id) < ($3, $4)", "$2"));

    private static final String CONTACT = "select phone, profile_name, consent_status, marketing_opted_out, "
            + "last_inbound_at, window_open_until from contact where phone = $1";

    private final Pool pool;
    private final Clock clock;

    ThreadReader(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** @param after the cursor of the previous page, null for the newest */
    public Uni<ThreadPage> page(String phone, Cursor after, int limit) {
        Tuple params = Tuple.of(phone, limit + 1);
        if (after != null) {
            UUID id = UUID.fromString(after.key());
            params.addOffsetDateTime(after.utc()).addUUID(id).addUUID(Uuid7Bounds.below(after.at(), id));
        }
        Uni<List<ThreadItem>> items = pool.preparedQuery(after == null ? FIRST_PAGE : NEXT_PAGE).execute(params)
                .map(rows -> {
                    List<ThreadItem> out = new ArrayList<>();
                    rows.forEach(row -> out.add(item(row)));
                    return out;
                });
        Uni<ContactSummary> contact = pool.preparedQuery(CONTACT).execute(Tuple.of(phone)).map(rows -> {
            var it = rows.iterator();
            return it.hasNext() ? contact(it.next()) : new ContactSummary(phone, null, "none", false, null, null, false);
        });
        return Uni.combine().all().unis(contact, items).asTuple().map(both -> {
            List<ThreadItem> rows = both.getItem2();
            boolean more = rows.size() > limit;
            List<ThreadItem> page = more ? rows.subList(0, limit) : rows;
            ThreadItem last = more ? page.get(page.size() - 1) : null;
            return new ThreadPage(both.getItem1(), page,
                    last == null ? null : new Cursor(last.at(), last.id().toString()).encode());
        });
    }

    private ContactSummary contact(Row row) {
        Instant openUntil = instant(row, "window_open_until");
        return new ContactSummary(row.getString("phone"), row.getString("profile_name"), row.getString("consent_status"),
                row.getBoolean("marketing_opted_out"), instant(row, "last_inbound_at"), openUntil,
                openUntil != null && openUntil.isAfter(clock.instant()));
    }

    /** A row of {@link #PAGE} (or any query with its columns) as an item of its direction. */
    static ThreadItem item(Row row) {
        boolean outbound = "outbound".equals(row.getString("direction"));
        String contextWamid = row.getString("context_wamid");
        ThreadItem.Context context = contextWamid == null ? null
                : new ThreadItem.Context(contextWamid,
                        row.getColumnIndex("context_id") >= 0 ? row.getUUID("context_id") : null);
        Object content = row.getValue("content");
        Map<String, Object> body = content instanceof JsonObject json ? json.getMap() : null;
        if (outbound) {
            Integer code = row.getInteger("error_code");
            ThreadItem.Error error = code == null && row.getString("error_title") == null ? null
                    : new ThreadItem.Error(code, row.getString("error_title"), row.getString("error_detail"));
            return new ThreadItem(row.getUUID("id"), "outbound", instant(row, "at"), row.getString("type"), body,
                    row.getString("status"), row.getString("wamid"), error, context, instant(row, "created_at"),
                    instant(row, "sent_at"), row.getBoolean("sent_template"), null, null);
        }
        return new ThreadItem(row.getUUID("id"), "inbound", instant(row, "at"), row.getString("type"), body, null,
                row.getString("wamid"), null, context, null, null, null, instant(row, "at"), instant(row, "read_at"));
    }

    static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
