package wagateway.schema;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import wagateway.config.GatewayConfig;

/**
 * With {@code quarkus.flyway.migrate-at-start=false} (replicas after a migration Job) a start does not run Flyway:
 * it asks the database for its schema version in one query, through the reactive pool (no JDBC connection, no
 * Flyway boot: wagateway.config.MigrationRunSettings turns Flyway off for such a start), and refuses to start on a schema older
 * than {@link RequiredSchema#VERSION}, with one line. Exit
 * status 1 rather than readiness DOWN: a replica that only stopped taking traffic would still run its dispatcher
 * and scheduled jobs against the old schema; Kubernetes restarts it until the migration Job has run. A newer
 * schema is served (a rolling update: the Job migrated for the new version while old replicas still run).
 */
@ApplicationScoped
public class SchemaVersionCheck {

    /** A start waits this long for the answer; the database's absence fails the start, as Flyway's did. */
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** PostgreSQL's undefined_table: no flyway_schema_history, an empty database. */
    private static final String UNDEFINED_TABLE = "42P01";

    void check(@Observes StartupEvent event, GatewayConfig config, Pool pool,
            @ConfigProperty(name = "quarkus.flyway.migrate-at-start", defaultValue = "false") boolean migrateAtStart) {
        if (migrateAtStart || config.migrateAndExit()) {
            return; // Flyway migrates (and validates) in this start
        }
        int applied = appliedVersion(pool).await().atMost(TIMEOUT);
        String refusal = RequiredSchema.refusal(applied);
        if (refusal != null) {
            Log.error(refusal);
            throw new IllegalStateException("refused to start on an old schema (see the line above)");
        }
        Log.debugf("Schema version %d (this build needs %d)", applied, RequiredSchema.VERSION);
    }

    static Uni<Integer> appliedVersion(Pool pool) {
        return pool.query(RequiredSchema.APPLIED_VERSION).execute()
                .map(rows -> {
                    Integer version = rows.iterator().next().getInteger(0);
                    return version == null ? 0 : version;
                })
                .onFailure(e -> e instanceof PgException pg && UNDEFINED_TABLE.equals(pg.getSqlState()))
                .recoverWithItem(0);
    }
}
