package wagateway.operations;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import wagateway.config.GatewayConfig;

/**
 * Health and metrics on the main port as well, when {@code gateway.operations.on-main-port} is set. They are
 * normally served only by the management interface (port 9000), which is chosen when the application is built;
 * this switch is for a platform that reaches a pod on one port only: Knative routes and probes the one container
 * port it is given. The answers are the management interface's own (same checks, same registry).
 */
@ApplicationScoped
public class OperationsOnMainPort {

    private final boolean enabled;
    private final SmallRyeHealthReporter health;
    private final PrometheusMeterRegistry registry;

    OperationsOnMainPort(GatewayConfig config, SmallRyeHealthReporter health, PrometheusMeterRegistry registry) {
        this.enabled = config.operations().onMainPort();
        this.health = health;
        this.registry = registry;
    }

    void register(@Observes Router router) {
        if (!enabled) {
            return;
        }
        router.get("/q/health").handler(rc -> answer(rc, health::getHealthAsync));
        router.get("/q/health/live").handler(rc -> answer(rc, health::getLivenessAsync));
        router.get("/q/health/ready").handler(rc -> answer(rc, health::getReadinessAsync));
        router.get("/q/health/started").handler(rc -> answer(rc, health::getStartupAsync));
        // rendering every meter is CPU work: off the event loop
        router.get("/q/metrics").blockingHandler(rc -> rc.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()), false);
    }

    private static void answer(RoutingContext rc, Supplier<Uni<SmallRyeHealth>> check) {
        check.get().subscribe().with(
                result -> rc.response().setStatusCode(result.isDown() ? 503 : 200)
                        .putHeader("Content-Type", "application/json; charset=UTF-8")
                        .end(result.getPayload().toString()),
                rc::fail);
    }
}
