package wagateway.wakeup;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Tells dispatchers that work was committed to the queue: this replica's at once, in process; the others
 * through one NOTIFY on {@code wagateway_queue}, coalesced to at most one per {@link #COALESCE_MS} and sent on
 * its own, outside any accepting transaction — a NOTIFY inside it would serialise every accept's commit.
 * <p>
 * It knows nobody: whoever wants waking registers with {@link #onWake}. That keeps the producers (accept,
 * webhooks, read requests) and the consumer (the dispatcher) from depending on each other.
 */
@ApplicationScoped
public class QueueSignal {

    static final long COALESCE_MS = 10;

    private final Pool pool;
    private final Vertx vertx;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    QueueSignal(Pool pool, Vertx vertx) {
        this.pool = pool;
        this.vertx = vertx;
    }

    /** Registers what runs when work arrives, on this replica or (through LISTEN) on another. */
    public void onWake(Runnable listener) {
        listeners.add(listener);
    }

    /** Work was committed to the queue. Never fails the caller: the fallback poll covers a lost signal. */
    public void accepted() {
        wakeLocal();
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

    /** Wakes this replica's listeners only (a NOTIFY from another replica arrived). */
    void wakeLocal() {
        listeners.forEach(Runnable::run);
    }
}
