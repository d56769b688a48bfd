package wagateway.dispatch;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** The slow fallback poll (NOTIFY does the fast wake-ups): leases, lease reclaim, queue depth. */
@ApplicationScoped
public class DispatchJob {

    private final MessageDispatcher dispatcher;

    DispatchJob(MessageDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Scheduled(every = "${gateway.dispatch.poll-interval:PT1S}", delayed = "PT0.5S", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        return dispatcher.poll();
    }
}
