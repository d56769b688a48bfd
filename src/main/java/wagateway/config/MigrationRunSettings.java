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
 * A migration run ({@code gateway.migrate-and-exit=true}, wagateway.schema.MigrateAndExit) migrates and exits, and
 * does nothing else: the Job that runs it has the replicas' settings (the same ConfigMap and Secret), so without
 * this it would claim and send messages, deliver callbacks and drain webhooks for the second it lives. Its ordinal
 * is above system properties (400) and environment variables (300): the ConfigMap's
 * {@code GATEWAY_DISPATCH_ENABLED=true} does not turn a migration run into a dispatcher. Registered through
 * {@code META-INF/services}.
 */
public class MigrationRunSettings implements ConfigSourceFactory {

    static final String MIGRATE_AND_EXIT = "gateway.migrate-and-exit";
    static final int ORDINAL = 500;

    static final Map<String, String> RUN_NOTHING_ELSE = Map.of(
            "gateway.dispatch.enabled", "false",
            "quarkus.scheduler.enabled", "false");

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue value = context.getValue(MIGRATE_AND_EXIT);
        boolean migrationRun = value != null && "true".equalsIgnoreCase(value.getValue());
        return List.of(new PropertiesConfigSource(migrationRun ? RUN_NOTHING_ELSE : Map.of(), "wagateway-migration-run",
                ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
