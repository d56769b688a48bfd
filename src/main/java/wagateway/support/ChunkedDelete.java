package wagateway.support;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Runs a {@code delete … where id in (select … limit chunk)} again and again, each in its own short transaction,
 * until a run deletes fewer than a chunk (nothing more is due) or {@code maxChunks} have run: a purge of any
 * backlog that never holds long locks. The retention jobs of the outbox and the webhook inbox share it.
 */
public final class ChunkedDelete {

    private ChunkedDelete() {
    }

    /** @return how many rows were deleted */
    public static Uni<Integer> run(Pool pool, String delete, Tuple params, int chunk, int maxChunks) {
        return next(pool, delete, params, chunk, maxChunks, 0, 0);
    }

    private static Uni<Integer> next(Pool pool, String delete, Tuple params, int chunk, int maxChunks, int done,
            int total) {
        return pool.preparedQuery(delete).execute(params).chain(rows -> {
            int deleted = rows.rowCount();
            return deleted < chunk || done + 1 >= maxChunks ? Uni.createFrom().item(total + deleted)
                    : next(pool, delete, params, chunk, maxChunks, done + 1, total + deleted);
        });
    }
}
