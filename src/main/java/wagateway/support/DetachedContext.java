package wagateway.support;

import java.util.function.LongConsumer;

import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.mutiny.core.Vertx;

/**
 * An event-loop context that belongs to no deployment, for background work that must outlive the HTTP server.
 * <p>
 * Why: {@code vertx.setTimer} binds a timer to the caller's context, and Vert.x cancels the timers of a
 * deployment's contexts when it is undeployed. Work woken from a request handler ran on the HTTP server's
 * contexts, so at SIGTERM — the server closes before the dispatcher has finished its last batch — a send waiting
 * on the pacer's timer was never let out, and its batch stayed in {@code sending} until the lease ran out
 * (GracefulShutdownIT, 1 run in 2; SenderLoop). Everything scheduled through this context runs on it and its timers die with
 * Vert.x only.
 */
public final class DetachedContext {

    private final ContextInternal context;

    public DetachedContext(Vertx vertx) {
        // VertxInternal is Vert.x's SPI (Quarkus uses it too); the public API can only return the caller's context
        this.context = ((VertxInternal) vertx.getDelegate()).createEventLoopContext();
    }

    /** Runs the task on this context. */
    public void run(Runnable task) {
        context.runOnContext(ignored -> task.run());
    }

    /** Calls the handler on this context after at least one millisecond, or {@code delayMillis}. */
    public long setTimer(long delayMillis, LongConsumer handler) {
        return context.setTimer(Math.max(1, delayMillis), handler::accept);
    }
}
