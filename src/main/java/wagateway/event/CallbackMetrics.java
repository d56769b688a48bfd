package wagateway.event;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Callback metrics: {@code wagateway_callbacks_delivered_total}, {@code wagateway_callbacks_failed_total}
 * (failed attempts), and the gauge {@code wagateway_callbacks_dead} (events given up on, across replicas).
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

    void dead(long count) {
        dead.set(count);
    }
}
