package wagateway.schema;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import wagateway.config.GatewayConfig;

/**
 * {@code gateway.migrate-and-exit=true}: the jar migrates the schema and exits 0, for a Kubernetes Job (or an init
 * container) that runs once per release while the replicas start with {@code quarkus.flyway.migrate-at-start=false}.
 * Such a run sends nothing and runs no scheduled job ({@code wagateway.config.MigrationRunSettings}). Exit status 1
 * when the schema is still older than this build needs afterwards (migrations missing from the jar's classpath).
 */
@ApplicationScoped
public class MigrateAndExit {

    /** Before the other start-up observers: they have nothing to do in a migration run. */
    void migrateAndExit(@Observes @Priority(1) StartupEvent event, GatewayConfig config, Instance<Flyway> flyway) {
        if (!config.migrateAndExit()) {
            return;
        }
        Flyway migrator = flyway.get();
        int applied = migrator.migrate().migrationsExecuted;
        MigrationInfo current = migrator.info().current();
        int version = current == null || current.getVersion() == null ? 0
                : current.getVersion().getMajor().intValue();
        String refusal = RequiredSchema.refusal(version);
        if (refusal != null) {
            Log.error(refusal);
            Quarkus.asyncExit(1);
            return;
        }
        Log.infof("Schema: at version %d (%d migrations applied by this run); exiting (gateway.migrate-and-exit=true)",
                version, applied);
        Quarkus.asyncExit(0);
    }
}
