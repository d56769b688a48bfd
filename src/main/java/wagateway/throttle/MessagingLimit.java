package wagateway.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.support.Times;

/**
 * Rule 5, the messaging limit: distinct recipients of business-initiated messages in a rolling 24 h, one
 * budget for all senders (the portfolio's). The reached recipients live in {@code recipient_reach}, counted
 * and extended inside the claim transaction under one advisory lock (across replicas and senders); who may go
 * is decided by the pure {@link #allocate}.
 */
@ApplicationScoped
public class MessagingLimit {

    /** Serialises the count across replicas and senders (the budget is portfolio-wide). */
    static final long LOCK = 0x77616761L; // "waga"
    public static final Duration WINDOW = Duration.ofHours(24);

    private static final String USAGE = "select (select count(*) from recipient_reach where reached_at > $1), "
            + "(select min(reached_at) from recipient_reach where reached_at > $1), "
            + "(select array_agg(recipient) from recipient_reach where reached_at > $1 and recipient = any($2))";

    private static final String REACH = "insert into recipient_reach (recipient, reached_at) "
            + "select unnest($1::text[]), $2 on conflict (recipient) do update set reached_at = excluded.reached_at";

    /**
     * The budget as it stands.
     *
     * @param used distinct recipients reached in the window
     * @param oldest the oldest reach still in the window (room frees up when it leaves)
     * @param reached which of the asked recipients are already in the window (they cost nothing)
     */
    public record Usage(long used, Instant oldest, Set<String> reached) {
    }

    /** One message the rule looks at: replies ({@code businessInitiated} false) never count. */
    public record Candidate(String recipient, boolean businessInitiated) {
    }

    /**
     * @param allowed per candidate, whether it may go now
     * @param freesAt when room frees up, for the ones that wait
     * @param reach the recipients whose reach is recorded now (distinct)
     */
    public record Allocation(boolean[] allowed, Instant freesAt, List<String> reach) {
    }

    /** Takes the budget's lock for the caller's transaction and reads it for {@code recipients}. */
    public Uni<Usage> usage(SqlClient tx, Collection<String> recipients, Instant now) {
        return tx.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(LOCK))
                .chain(() -> tx.preparedQuery(USAGE).execute(Tuple.tuple().addOffsetDateTime(Times.utc(now.minus(WINDOW)))
                        .addArrayOfString(new LinkedHashSet<>(recipients).toArray(String[]::new))))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    Instant oldest = row.getOffsetDateTime(1) == null ? now : row.getOffsetDateTime(1).toInstant();
                    String[] reached = row.getArrayOfStrings(2);
                    return new Usage(row.getLong(0), oldest, reached == null ? Set.of() : Set.of(reached));
                });
    }

    /** Records (or refreshes) the reach of these recipients at {@code now}. */
    public Uni<Void> reach(SqlClient tx, List<String> recipients, Instant now) {
        if (recipients.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery(REACH)
                .execute(Tuple.tuple().addArrayOfString(recipients.toArray(String[]::new))
                        .addOffsetDateTime(Times.utc(now)))
                .replaceWithVoid();
    }

    /**
     * The pure budget: recipients already reached in the window cost nothing; new ones take room while there is
     * some; the rest wait until the oldest reach leaves the window. Replies never count.
     *
     * @param cap {@code gateway.messaging-limit.daily-unique-recipients}
     */
    public static Allocation allocate(long cap, Usage usage, List<Candidate> candidates) {
        boolean[] allowed = new boolean[candidates.size()];
        Set<String> reached = new HashSet<>(usage.reached());
        Set<String> reach = new LinkedHashSet<>();
        long room = cap - usage.used();
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            if (!c.businessInitiated()) {
                allowed[i] = true;
            } else if (reached.contains(c.recipient())) {
                allowed[i] = true;
                reach.add(c.recipient());
            } else if (room > 0) {
                room--;
                reached.add(c.recipient());
                reach.add(c.recipient());
                allowed[i] = true;
            }
        }
        return new Allocation(allowed, usage.oldest().plus(WINDOW), new ArrayList<>(reach));
    }
}
