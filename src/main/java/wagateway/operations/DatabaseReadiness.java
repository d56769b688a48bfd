package wagateway.operations;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Ready when PostgreSQL answers {@code SELECT 1} through the reactive pool the requests use. The built-in
 * datasource checks are off ({@code quarkus.datasource.health.enabled=false}): the JDBC one opened a new
 * connection per probe, so a flood of probes was a flood of PostgreSQL connections. Through the pool a probe
 * reuses an idle connection, and a connection the database dropped is evicted by the pool, so readiness comes
 * back as soon as PostgreSQL does.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements AsyncHealthCheck {

    static final String NAME = "PostgreSQL";

    /** Below the probes' 2 s timeout, so the probe gets a DOWN rather than no answer. */
    static final Duration TIMEOUT = Duration.ofMillis(1500);

    private final Pool pool;

    DatabaseReadiness(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return pool.query("SELECT 1").execute()
                .ifNoItem().after(TIMEOUT).failWith(() -> new IllegalStateException("no answer within " + TIMEOUT))
                .map(rows -> HealthCheckResponse.up(NAME))
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("error", failure.getClass().getSimpleName()).build());
    }
}
