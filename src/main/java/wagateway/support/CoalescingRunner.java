package wagateway.support;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Runs an asynchronous task one at a time, and again right after when it was asked for meanwhile: any number
 * of requests during a run make exactly one more run. The task may also ask for a next run itself (its item is
 * {@code true}: "there may be more"). Used wherever a burst of triggers (accepts, stored webhooks, appended
 * events) must turn into a few passes over the database, never into concurrent ones.
 * <p>
 * Thread-safe without locks: {@code again} is cleared before a run starts and read after {@code running} is
 * cleared, so a request is never lost between the two.
 */
public final class CoalescingRunner {

    private final Supplier<Uni<Boolean>> task;
    private final Consumer<Throwable> onFailure;
    private final Executor rerun;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    /**
     * @param task one pass; its item says whether another pass should follow at once
     * @param onFailure told about a failed pass (which ends it as "no more"; a request made during it still
     *        makes one more pass)
     * @param rerun where the next pass starts (e.g. {@code vertx::runOnContext}, so a long series of passes
     *        does not grow the stack)
     */
    public CoalescingRunner(Supplier<Uni<Boolean>> task, Consumer<Throwable> onFailure, Executor rerun) {
        this.task = task;
        this.onFailure = onFailure;
        this.rerun = rerun;
    }

    /** Runs now, or once more after the current run. Never blocks, never fails. */
    public void request() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            runOnce();
        }
    }

    /** Whether a pass is under way. */
    public boolean running() {
        return running.get();
    }

    private void runOnce() {
        again.set(false);
        Uni<Boolean> pass;
        try {
            pass = task.get();
        } catch (RuntimeException e) {
            pass = Uni.createFrom().failure(e);
        }
        pass.subscribe().with(more -> done(Boolean.TRUE.equals(more)), failure -> {
            onFailure.accept(failure);
            done(false);
        });
    }

    private void done(boolean more) {
        running.set(false);
        if ((more || again.get()) && running.compareAndSet(false, true)) {
            rerun.execute(this::runOnce);
        }
    }
}
