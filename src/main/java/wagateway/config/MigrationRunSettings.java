package wagateway.config;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Settings that follow from how this start treats the schema (issue 19). Registered through
 * {@code META-INF/services}; its ordinal is above system properties (400) and environment variables (300).
 * <ul>
 * <li>A migration run ({@code gateway.migrate-and-exit=true}, the migration run) migrates and exits,
 * and does nothing else: the Job that runs it has the replicas' settings (the same ConfigMap and Secret), so without
 * this it would claim and send messages, deliver callbacks and drain webhooks for the second it lives; the
 * ConfigMap's {@code GATEWAY_DISPATCH_ENABLED=true} does not turn it into a dispatcher.</li>
 * <li>A replica that does not migrate ({@code quarkus.flyway.migrate-at-start=false}) does not boot Flyway at all
 * ({@code quarkus.flyway.active=false}): Quarkus would otherwise build its Flyway instance at every start just to
 * find nothing to do (measured: docs/performance.md, "Issue 19: start-up"). the schema-version check
 * asks for the schema version instead.</li>
 * </ul>
 */
public class MigrationRunSettings implements ConfigSourceFactory {

    static final String MIGRATE_AND_EXIT = "gateway.migrate-and-exit";
    static final String MIGRATE_AT_START = "quarkus.flyway.migrate-at-start";
    static final int ORDINAL = 500;

    static final Map<String, String> RUN_NOTHING_ELSE = Map.of(
            "gateway.dispatch.enabled", "false",
            "quarkus.scheduler.enabled", "false");

    static final Map<String, String> NO_FLYWAY = Map.of("quarkus.flyway.active", "false");

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        boolean migrationRun = isTrue(context.getValue(MIGRATE_AND_EXIT));
        ConfigValue atStart = context.getValue(MIGRATE_AT_START);
        boolean replicaWithoutMigration = atStart != null && "false".equalsIgnoreCase(atStart.getValue());
        Map<String, String> settings = migrationRun ? RUN_NOTHING_ELSE : replicaWithoutMigration ? NO_FLYWAY : Map.of();
        return List.of(new PropertiesConfigSource(settings, "wagateway-migration-run", ORDINAL));
    }

    private static boolean isTrue(ConfigValue value) {
        return value != null && "true".equalsIgnoreCase(value.getValue());
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
