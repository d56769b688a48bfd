package wagateway.event;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Callback metrics: {@code wagateway_callbacks_delivered_total}, {@code wagateway_callbacks_failed_total}
 * (failed attempts), the gauge {@code wagateway_callbacks_dead} (events given up on, across replicas), and, on
 * this replica, {@code wagateway_callbacks_in_flight} (claimed, not yet recorded) and
 * {@code wagateway_callbacks_destinations_paused} (destinations in back-off after failing).
 */
@ApplicationScoped
public class CallbackMetrics {

    private final MeterRegistry registry;
    private final AtomicLong dead = new AtomicLong();

    CallbackMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("wagateway.callbacks.dead", dead, AtomicLong::get)
                .description("Events whose callback was never acknowledged within gateway.callbacks.max-age")
                .register(registry);
    }

    void delivered() {
        registry.counter("wagateway.callbacks.delivered").increment();
    }

    void failed() {
        registry.counter("wagateway.callbacks.failed").increment();
    }

    /** Registers the gauges of this replica's delivery flow. */
    void track(IntSupplier inFlight, IntSupplier pausedDestinations) {
        Gauge.builder("wagateway.callbacks.in.flight", inFlight, IntSupplier::getAsInt)
                .description("Callbacks claimed on this replica and not yet recorded").register(registry);
        Gauge.builder("wagateway.callbacks.destinations.paused", pausedDestinations, IntSupplier::getAsInt)
                .description("Callback destinations this replica does not send to now, after failures in a row")
                .register(registry);
    }

    void dead(long count) {
        dead.set(count);
    }
}
