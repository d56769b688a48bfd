package wagateway.event;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.event.api.DeadEventView;

/** Events whose callback was never acknowledged in time: kept, listed and counted, never silently dropped. */
@ApplicationScoped
public class DeadEvents {

    private final Pool pool;

    DeadEvents(Pool pool) {
        this.pool = pool;
    }

    /** Newest first. */
    public Uni<List<DeadEventView>> list(int limit) {
        return pool.preparedQuery("select id, type, message_id, url, attempts, last_error, created_at, "
                + "next_attempt_at, payload from event_outbox where state = 'dead' order by id desc limit $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<DeadEventView> events = new ArrayList<>();
                    rows.forEach(row -> events.add(new DeadEventView(String.valueOf(row.getLong("id")),
                            row.getString("type"), row.getUUID("message_id"), row.getString("url"),
                            row.getInteger("attempts"), row.getString("last_error"),
                            row.getOffsetDateTime("created_at").toInstant(),
                            row.getOffsetDateTime("next_attempt_at").toInstant(),
                            row.getJsonObject("payload").getMap())));
                    return events;
                });
    }

    public Uni<Long> count() {
        return pool.query("select count(*) from event_outbox where state = 'dead'").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }
}
