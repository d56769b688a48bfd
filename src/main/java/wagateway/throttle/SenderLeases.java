package wagateway.throttle;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Which replica drives which sender (spec §3.3: the per-number rate holds across replicas). A sender is
 * driven by exactly one replica at a time, through a lease row in {@code sender_state}; its rate limiter
 * can then live in that replica's memory and still be exact for the whole cluster.
 */
@ApplicationScoped
public class SenderLeases {

    /** A released lease stays unclaimable for this long, so the next owner cannot double the last second's rate. */
    static final Duration QUIET_AFTER_RELEASE = Duration.ofSeconds(1);

    private final Pool pool;

    SenderLeases(Pool pool) {
        this.pool = pool;
    }

    /** A held lease, and until when the sender is paused (a bad token), if it is. */
    public record Held(String sender, Instant pausedUntil, String pauseReason) {
    }

    /** Takes free or expired leases and renews ours. @return the senders this owner now holds */
    public Uni<Map<String, Held>> acquire(String owner, List<String> senders, Instant now, Duration ttl) {
        return pool.preparedQuery("insert into sender_state (sender, lease_owner, lease_expires_at) "
                + "select unnest($1::text[]), $2, $3 on conflict (sender) do update "
                + "set lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at "
                + "where sender_state.lease_owner = excluded.lease_owner or sender_state.lease_expires_at is null "
                + "or sender_state.lease_expires_at < $4 returning sender, paused_until, pause_reason")
                .execute(Tuple.tuple().addArrayOfString(senders.toArray(String[]::new)).addString(owner)
                        .addOffsetDateTime(now.plus(ttl).atOffset(ZoneOffset.UTC))
                        .addOffsetDateTime(now.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    Map<String, Held> held = new HashMap<>();
                    rows.forEach(r -> held.put(r.getString(0), new Held(r.getString(0),
                            r.getOffsetDateTime(1) == null ? null : r.getOffsetDateTime(1).toInstant(), r.getString(2))));
                    return held;
                });
    }

    public Uni<Void> release(String owner, Instant now) {
        return pool.preparedQuery("update sender_state set lease_owner = null, lease_expires_at = $2 where lease_owner = $1")
                .execute(Tuple.tuple().addString(owner)
                        .addOffsetDateTime(now.plus(QUIET_AFTER_RELEASE).atOffset(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    /** Stops a sender from sending until {@code until}, on every replica. */
    public Uni<Void> pause(String sender, Instant until, String reason) {
        return pool.preparedQuery("update sender_state set paused_until = $2, pause_reason = $3 where sender = $1")
                .execute(Tuple.tuple().addString(sender).addOffsetDateTime(until.atOffset(ZoneOffset.UTC)).addString(reason))
                .replaceWithVoid();
    }
}
