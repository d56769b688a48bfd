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
     * @return a snapshot per phone; phones with no contact row are {@link Recipient#UNKNOWN}
     */
    public Uni<Map<String, Recipient>> find(SqlClient client, String sender, Collection<String> phones) {
        String[] distinct = phones.stream().distinct().toArray(String[]::new);
        return client.preparedQuery("select c.phone, c.consent_status, c.consent_categories, c.marketing_opted_out, "
                + "w.window_open_until from contact c "
                + "left join contact_window w on w.phone = c.phone and w.sender = $2 where c.phone = any($1)")
                .execute(Tuple.tuple().addArrayOfString(distinct).addString(sender)).map(rows -> {
                    Map<String, Recipient> out = new HashMap<>();
                    for (String phone : distinct) {
                        out.put(phone, Recipient.UNKNOWN);
                    }
                    rows.forEach(row -> out.put(row.getString("phone"), recipient(row)));
                    return out;
                });
    }

    private static Recipient recipient(Row row) {
        String[] categories = row.getArrayOfStrings("consent_categories");
        var until = row.getOffsetDateTime("window_open_until");
        return new Recipient(row.getString("consent_status"), categories == null ? null : List.of(categories),
                row.getBoolean("marketing_opted_out"), until == null ? null : until.toInstant());
    }

}
