package wagateway.message;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * Group commit for single-message accepts: concurrent {@code POST /v1/messages} requests are coalesced into one
 * recipient lookup and one multi-row insert (one commit), instead of a lookup and an insert each. Each request
 * still answers only after its own row is committed (or refused); while a group is in the database the next one
 * gathers, so groups grow with the load and a lone request goes at once.
 * <p>
 * A group that fails is retried row by row, so one row the database refuses fails only its own request. When
 * {@link #MAX_WAITING} requests already wait, a request is refused at once with a 503 problem and
 * {@code Retry-After}, never left to hang.
 */
final class AcceptGroups {

    /** Groups in the database at once: one gathers while one commits. */
    static final int MAX_IN_FLIGHT = 2;
    /** Rows per group. */
    static final int MAX_GROUP = 500;
    /** Requests that may wait for a group; more get a 503. */
    static final int MAX_WAITING = 10_000;

    /** What the group did with one message. */
    sealed interface Result {
        /** Committed. */
        record Inserted() implements Result {
        }

        /** Refused by a rule at accept (422); nothing stored. */
        record Refused(String reason) implements Result {
        }

        /** Not inserted: another request holds its idempotency key. */
        record KeyTaken() implements Result {
        }
    }

    /** Refusal reasons per message (null: no refusal), in order. */
    interface Rules extends Function<List<NewMessage>, Uni<List<String>>> {
    }

    /** Inserts messages; the ids actually inserted (an idempotency conflict leaves its id out). */
    interface Inserter extends Function<List<NewMessage>, Uni<List<UUID>>> {
    }

    private record Pending(NewMessage message, UniEmitter<? super Result> emitter, Context context) {

        void complete(Result result) {
            if (context == null) {
                emitter.complete(result);
            } else {
                context.runOnContext(ignored -> emitter.complete(result));
            }
        }

        void fail(Throwable failure) {
            if (context == null) {
                emitter.fail(failure);
            } else {
                context.runOnContext(ignored -> emitter.fail(failure));
            }
        }
    }

    private final Rules rules;
    private final Inserter inserter;
    private final Runnable committed;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param rules the rules the gateway answers at accept, for many messages at once
     * @param inserter the multi-row insert
     * @param committed told after each group that stored rows (the dispatcher's wake-up)
     */
    AcceptGroups(Rules rules, Inserter inserter, Runnable committed) {
        this.rules = rules;
        this.inserter = inserter;
        this.committed = committed;
    }

    /** Accepts one message with the next group; completes on the caller's Vert.x context. */
    Uni<Result> submit(NewMessage message) {
        return Uni.createFrom().emitter(emitter -> {
            synchronized (waiting) {
                if (waiting.size() >= MAX_WAITING) {
                    emitter.fail(overloaded());
                    return;
                }
                waiting.add(new Pending(message, emitter, Vertx.currentContext()));
            }
            next();
        });
    }

    /** Starts a group if there is room and something waits. */
    private void next() {
        List<Pending> group;
        synchronized (waiting) {
            if (inFlight >= MAX_IN_FLIGHT || waiting.isEmpty()) {
                return;
            }
            inFlight++;
            group = new ArrayList<>(Math.min(waiting.size(), MAX_GROUP));
            while (!waiting.isEmpty() && group.size() < MAX_GROUP) {
                group.add(waiting.poll());
            }
        }
        Uni.createFrom().deferred(() -> run(group)).subscribe().with(ignored -> done(), failure -> {
            // run() answers every request itself; this is a defect, not a database error
            Log.errorf(failure, "Accept group of %d failed unexpectedly", group.size());
            group.forEach(p -> p.fail(failure));
            done();
        });
    }

    private void done() {
        synchronized (waiting) {
            inFlight--;
        }
        next();
    }

    private Uni<Void> run(List<Pending> group) {
        List<NewMessage> messages = group.stream().map(Pending::message).toList();
        return rules.apply(messages).onItemOrFailure().transformToUni((reasons, failure) -> {
            if (failure != null) {
                group.forEach(p -> p.fail(failure));
                return Uni.createFrom().voidItem();
            }
            List<Pending> toInsert = new ArrayList<>(group.size());
            for (int i = 0; i < group.size(); i++) {
                String reason = reasons.get(i);
                if (reason != null) {
                    group.get(i).complete(new Result.Refused(reason));
                } else {
                    toInsert.add(group.get(i));
                }
            }
            return insert(toInsert);
        });
    }

    private Uni<Void> insert(List<Pending> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return inserter.apply(rows.stream().map(Pending::message).toList())
                .onItemOrFailure().transformToUni((ids, failure) -> {
                    if (failure != null) {
                        return rows.size() == 1 ? failed(rows.get(0), failure) : oneByOne(rows);
                    }
                    Set<UUID> inserted = new HashSet<>(ids);
                    if (!inserted.isEmpty()) {
                        committed.run();
                    }
                    for (Pending row : rows) {
                        row.complete(inserted.contains(row.message().id()) ? new Result.Inserted()
                                : new Result.KeyTaken());
                    }
                    return Uni.createFrom().voidItem();
                });
    }

    /** A group the database refused: each row alone, so a bad one fails only its own request. */
    private Uni<Void> oneByOne(List<Pending> rows) {
        return Multi.createFrom().iterable(rows).onItem().transformToUniAndConcatenate(row -> insert(List.of(row)))
                .collect().last().replaceWithVoid();
    }

    private static Uni<Void> failed(Pending row, Throwable failure) {
        row.fail(failure);
        return Uni.createFrom().voidItem();
    }

    private static ProblemException overloaded() {
        return new ProblemException(Problem.of("overloaded", "Service Unavailable", 503,
                "Too many messages are waiting to be stored on this replica; retry shortly"));
    }
}
