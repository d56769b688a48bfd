package wagateway.event;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Every {@code gateway.callbacks.poll-interval}: asks the dispatcher to look for due events (it claims on its
 * own while it finds work; this is the fallback for what no nudge announces) and refreshes the dead-event gauge.
 */
@ApplicationScoped
public class CallbackJob {

    private final CallbackDispatcher dispatcher;
    private final DeadEvents dead;
    private final CallbackMetrics metrics;

    CallbackJob(CallbackDispatcher dispatcher, DeadEvents dead, CallbackMetrics metrics) {
        this.dispatcher = dispatcher;
        this.dead = dead;
        this.metrics = metrics;
    }

    @Scheduled(identity = "callback-delivery", every = "${gateway.callbacks.poll-interval:PT1S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> run() {
        dispatcher.poll();
        return dead.count()
                .invoke(metrics::dead)
                .replaceWithVoid();
    }
}
