package wagateway.policy;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Reads the consent and window state the rules need, for many recipients in one query. */
@ApplicationScoped
public class RecipientRepository {

    /**
     * @param sender the configured sender the messages go from: the window is the one the customer opened
     *        by writing to that business number (Meta keeps one per number and customer)
     * @param recipients as messages address them: phones, or business-scoped user ids (one contact, a person,
     *        holds either: the rules are the contact's whichever identifier a message uses)
     * @return a snapshot per recipient; recipients no contact holds are {@link Recipient#UNKNOWN}
     */
    public Uni<Map<String, Recipient>> find(SqlClient client, String sender, Collection<String> recipients) {
        String[] distinct = recipients.stream().distinct().toArray(String[]::new);
        return client.preparedQuery(FIND).execute(Tuple.tuple().addArrayOfString(distinct).addString(sender))
                .map(rows -> {
                    Map<String, Recipient> out = new HashMap<>();
                    for (String recipient : distinct) {
                        out.put(recipient, Recipient.UNKNOWN);
                    }
                    // by phone first: a phone names one contact, a user id (older data) may be on several
                    rows.forEach(row -> out.put(row.getString("key"), recipient(row)));
                    return out;
                });
    }

    /** The contacts holding these recipients by phone, else by user id (the last updated), each once. */
    private static final String FIND = """
            select distinct on (k.key) k.key, coalesce(c.phone, c.id) as person, c.consent_status, c.consent_categories,
                c.marketing_opted_out, w.window_open_until
            from unnest($1::text[]) as k(key)
            join contact c on c.phone = k.key or c.user_id = k.key
            left join contact_window w on w.contact_id = c.id and w.sender = $2
            order by k.key, c.phone = k.key desc nulls last, c.updated_at desc""";

    private static Recipient recipient(Row row) {
        String[] categories = row.getArrayOfStrings("consent_categories");
        var until = row.getOffsetDateTime("window_open_until");
        return new Recipient(row.getString("consent_status"), categories == null ? null : List.of(categories),
                row.getBoolean("marketing_opted_out"), until == null ? null : until.toInstant(), row.getString("person"));
    }

}
