package wagateway.dispatch;

import java.time.Duration;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import wagateway.config.GatewayConfig;

/**
 * On SIGTERM: stop claiming, let in-flight sends finish and be recorded, then give back leases so no
 * message stays in {@code sending} and another replica takes the senders over at once.
 */
@ApplicationScoped
public class GracefulShutdown {

    static final Duration IN_FLIGHT_GRACE = Duration.ofSeconds(20);

    private final MessageDispatcher dispatcher;
    private final GatewayConfig config;

    GracefulShutdown(MessageDispatcher dispatcher, GatewayConfig config) {
        this.dispatcher = dispatcher;
        this.config = config;
    }

    // Runs on the shutdown thread, never the event loop: waiting here is what a graceful stop is.
    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        if (!config.dispatch().enabled()) {
            return;
        }
        dispatcher.stop();
        long deadline = System.nanoTime() + IN_FLIGHT_GRACE.toNanos();
        while (!dispatcher.idle() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            int released = dispatcher.release().await().atMost(Duration.ofSeconds(5));
            Log.infof("Dispatcher stopped; %d leased message(s) returned to the queue", released);
        } catch (RuntimeException e) {
            Log.warnf("Could not release leases at shutdown (%s); they expire on their own", e.getMessage());
        }
    }
}
