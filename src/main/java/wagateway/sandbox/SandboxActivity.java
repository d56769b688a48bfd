package wagateway.sandbox;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;

/**
 * A live feed of what changes in the sandbox (a message accepted, a status it reported, a customer who wrote
 * or was configured, the knobs, a reset), for the console's server-sent events. In memory, hot: a subscriber
 * sees what happens after it subscribed, and nothing is kept for latecomers.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class SandboxActivity {

    /**
     * One change.
     *
     * @param kind message, status, inbound, customer, faults or reset
     * @param phone the customer it concerns (E.164 with '+'), or null when it concerns the whole sandbox
     */
    @RegisterForReflection
    public record Change(String kind, String phone) {
    }

    // Serialized: timers, event-loop and worker threads all publish.
    private final BroadcastProcessor<Change> processor = BroadcastProcessor.create();
    private final Object lock = new Object();

    public void publish(String kind, String phone) {
        synchronized (lock) {
            processor.onNext(new Change(kind, phone));
        }
    }

    /** Changes from now on; never completes. */
    public Multi<Change> changes() {
        return processor;
    }
}
