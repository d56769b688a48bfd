package wagateway.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.support.Times;

/**
 * Rule 4, pair rate: at most one message per (business number, recipient) every
 * {@code gateway.pair-rate.min-interval}. The next allowed time of each pair lives in {@code pair_pacing}, read
 * and reserved inside the claim transaction; what may go now is decided by the pure {@link Gate}.
 */
@ApplicationScoped
public class PairPacing {

    private static final String READ = "select recipient, next_allowed_at from pair_pacing "
            + "where sender = $1 and recipient = any($2)";

    private static final String RESERVE = "insert into pair_pacing (sender, recipient, next_allowed_at) "
            + "select $1, unnest($2::text[]), $3 "
            + "on conflict (sender, recipient) do update set next_allowed_at = excluded.next_allowed_at";

    /** When each recipient may next get a message from {@code sender}; recipients never paced are absent. */
    public Uni<Map<String, Instant>> nextAllowed(SqlClient tx, String sender, Collection<String> recipients) {
        return tx.preparedQuery(READ)
                .execute(Tuple.tuple().addString(sender).addArrayOfString(recipients.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Instant> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString(0), r.getOffsetDateTime(1).toInstant()));
                    return out;
                });
    }

    /** Records that these recipients got a message: the next one waits until {@code until}. */
    public Uni<Void> reserve(SqlClient tx, String sender, Collection<String> recipients, Instant until) {
        if (recipients.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery(RESERVE)
                .execute(Tuple.tuple().addString(sender).addArrayOfString(recipients.toArray(String[]::new))
                        .addOffsetDateTime(Times.utc(until)))
                .replaceWithVoid();
    }

    /**
     * The pure budget: one message per recipient per interval. Asked message by message in send order; a
     * recipient let through is paced for the rest of the batch too.
     */
    public static final class Gate {

        private final Map<String, Instant> nextAllowed;
        private final Duration interval;
        private final Instant now;

        public Gate(Map<String, Instant> nextAllowed, Duration interval, Instant now) {
            this.nextAllowed = new HashMap<>(nextAllowed);
            this.interval = interval;
            this.now = now;
        }

        /** @return null when a message to {@code recipient} may go now (it takes the slot), else when it may */
        public Instant admit(String recipient) {
            Instant allowed = nextAllowed.get(recipient);
            if (allowed != null && allowed.isAfter(now)) {
                return allowed;
            }
            nextAllowed.put(recipient, now.plus(interval));
            return null;
        }

        /** Until when the recipients that went are paced. */
        public Instant pacedUntil() {
            return now.plus(interval);
        }

        /** Whether pacing is off ({@code min-interval} of zero): nothing to reserve. */
        public boolean off() {
            return interval.isZero();
        }
    }
}
