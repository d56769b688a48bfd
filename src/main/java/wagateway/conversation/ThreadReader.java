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
 * Reads one customer's thread: inbound and outbound messages interleaved, newest first, one SQL per page after
 * the contact's lookup. The thread is the contact's (issue 17): inbound by contact id, outbound by every
 * identifier the contact has or wrote with, so it survives a number or user-id change. Each arm of the UNION
 * ALL is a backward range scan of an index from the cursor, limited to the page size (outbound: (recipient,
 * id), by the time in the UUIDv7, one scan per identifier; inbound: (contact_id, sent_at, id)), so a page costs
 * about the same at the start of a long thread as deep inside it. Ties in time go by id, descending.
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

    /**
     * A contact's thread (issue 17): the outbound messages it owns ({@code contact_id}, V15), those without contact
     * addressed to any identifier the contact has or wrote with (its phone and user id, and those of its messages
     * before a number or user-id change: the previous release's rows, messages sent before it ever wrote), and its
     * inbound messages. {@code $1} the identifiers, {@code $2} the limit, {@code $3} the contact id.
     */
    private static final String CONTACT_PAGE = """
            select t.*, coalesce((select o.id from outbound_message o where o.wamid = t.context_wamid),
                                 (select i.id from inbound_message i where i.wamid = t.context_wamid)) as context_id
            from ((%s) union all (%s) union all (%s)) t order by t.at desc, t.id desc limit $2""";
    private static final String OWNED_OUTBOUND = OUTBOUND.replace("recipient = %1$s", "contact_id = %1$s");
    private static final String UNASSIGNED_OUTBOUND = OUTBOUND.replace("recipient = %1$s",
            "contact_id is null and recipient = any(%1$s)");
    private static final String CONTACT_OUTBOUND = OUTBOUND.replace("recipient = %1$s", "recipient = any(%1$s)");
    private static final String CONTACT_INBOUND = INBOUND.replace("from_phone = %1$s", "contact_id = %1$s");

    static final String FIRST_PAGE = CONTACT_PAGE.formatted(OWNED_OUTBOUND.formatted("$3", "", "$2"),
            UNASSIGNED_OUTBOUND.formatted("$1", "", "$2"), CONTACT_INBOUND.formatted("$3", "", "$2"));
    static final String NEXT_PAGE = CONTACT_PAGE.formatted(OWNED_OUTBOUND.formatted("$3", "and id < $6", "$2"),
            UNASSIGNED_OUTBOUND.formatted("$1", "and id < $6", "$2"),
            CONTACT_INBOUND.formatted("$3", "and (sent_at, id) < ($4, $5)", "$2"));
    /** No contact for this identifier (never wrote, or rows from before contacts had ids): by the identifier. */
    static final String FIRST_PAGE_BY_IDENTIFIER = PAGE.formatted(CONTACT_OUTBOUND.formatted("$1", "", "$2"),
            INBOUND.formatted("$3", "", "$2"));
    static final String NEXT_PAGE_BY_IDENTIFIER = PAGE.formatted(CONTACT_OUTBOUND.formatted("$1", "and id < $6", "$2"),
            INBOUND.formatted("$3", "and (sent_at, id) < ($4, $5)", "$2"));

    /**
     * The contact named by a phone, a business-scoped user id or its id, with every identifier its thread's
     * outbound messages may have been addressed to.
     */
    private static final String CONTACT = """
            select c.id, c.phone, c.user_id, c.username, c.profile_name, c.consent_status, c.marketing_opted_out,
                c.last_inbound_at, c.window_open_until,
                array(select k from (select c.phone union select c.user_id
                    union select i.from_phone from inbound_message i where i.contact_id = c.id
                    union select i.from_user_id from inbound_message i where i.contact_id = c.id) s(k)
                    where k is not null) as keys
            from contact c where c.id = $1 or c.phone = $1 or c.user_id = $1
            order by c.id = $1 desc, c.phone = $1 desc nulls last, c.updated_at desc limit 1""";

    private final Pool pool;
    private final Clock clock;

    ThreadReader(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /**
     * @param identifier a phone, a business-scoped user id or a contact id: the contact's whole thread, whichever
     *        identifier names it (a number the gateway never heard of: the messages sent to it)
     * @param after the cursor of the previous page, null for the newest
     */
    public Uni<ThreadPage> page(String identifier, Cursor after, int limit) {
        return pool.preparedQuery(CONTACT).execute(Tuple.of(identifier)).chain(found -> {
            var it = found.iterator();
            Row contactRow = it.hasNext() ? it.next() : null;
            String[] keys = contactRow != null ? contactRow.getArrayOfStrings("keys") : new String[] { identifier };
            Tuple params = Tuple.of(keys, limit + 1, contactRow == null ? identifier : contactRow.getString("id"));
            if (after != null) {
                UUID id = UUID.fromString(after.key());
                params.addOffsetDateTime(after.utc()).addUUID(id).addUUID(Uuid7Bounds.below(after.at(), id));
            }
            ContactSummary contact = contactRow != null ? contact(contactRow)
                    : new ContactSummary(identifier.startsWith("+") ? identifier : null, null, "none", false, null,
                            null, false, null, identifier.startsWith("+") ? null : identifier, null);
            String sql = contactRow != null ? (after == null ? FIRST_PAGE : NEXT_PAGE)
                    : after == null ? FIRST_PAGE_BY_IDENTIFIER : NEXT_PAGE_BY_IDENTIFIER;
            return pool.preparedQuery(sql).execute(params).map(rows -> {
                List<ThreadItem> out = new ArrayList<>();
                rows.forEach(row -> out.add(item(row)));
                return page(contact, out, limit);
            });
        });
    }

    private static ThreadPage page(ContactSummary contact, List<ThreadItem> rows, int limit) {
        boolean more = rows.size() > limit;
        List<ThreadItem> page = more ? rows.subList(0, limit) : rows;
        ThreadItem last = more ? page.get(page.size() - 1) : null;
        return new ThreadPage(contact, page, last == null ? null : new Cursor(last.at(), last.id().toString()).encode());
    }

    private ContactSummary contact(Row row) {
        Instant openUntil = instant(row, "window_open_until");
        return new ContactSummary(row.getString("phone"), row.getString("profile_name"), row.getString("consent_status"),
                row.getBoolean("marketing_opted_out"), instant(row, "last_inbound_at"), openUntil,
                openUntil != null && openUntil.isAfter(clock.instant()), row.getString("id"), row.getString("user_id"),
                row.getString("username"));
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
