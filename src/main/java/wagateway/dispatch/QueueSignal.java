package wagateway.dispatch;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Tells dispatchers that messages were accepted: this replica's at once, in process; the others through
 * one NOTIFY on {@code wagateway_queue}, coalesced to at most one per {@link #COALESCE_MS} and sent on its
 * own, outside any accepting transaction — a NOTIFY inside it would serialise every accept's commit.
 */
@ApplicationScoped
public class QueueSignal {

    static final long COALESCE_MS = 10;

    private final MessageDispatcher dispatcher;
    private final Pool pool;
    private final Vertx vertx;
    private final AtomicBoolean pending = new AtomicBoolean();

    QueueSignal(MessageDispatcher dispatcher, Pool pool, Vertx vertx) {
        this.dispatcher = dispatcher;
        this.pool = pool;
        this.vertx = vertx;
    }

    /** Messages were committed to the queue. Never fails the caller: the fallback poll covers a lost signal. */
    public void accepted() {
        dispatcher.wakeAll();
        if (pending.compareAndSet(false, true)) {
            vertx.setTimer(COALESCE_MS, id -> {
                pending.set(false);
                // fire and forget on purpose: a lost NOTIFY only delays other replicas to their next poll
                pool.query("select pg_notify('" + QueueListener.CHANNEL + "', '')").execute().subscribe().with(
                        rows -> {
                        }, failure -> Log.debugf("NOTIFY not sent (%s); replicas will poll", failure.getMessage()));
            });
        }
    }
}
