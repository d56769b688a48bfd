package wagateway.config;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A migration run reads the replicas' ConfigMap, which turns dispatching on: {@link MigrationRunSettings} turns it
 * and the scheduler off for that run only, above the environment, and leaves every other start alone.
 */
class MigrationRunSettingsTest {

    static SmallRyeConfig config(Map<String, String> env) {
        return new SmallRyeConfigBuilder().withSources(new EnvConfigSource(env, 300))
                .withSources(new MigrationRunSettings()).build();
    }

    @Test
    void aMigrationRunNeitherDispatchesNorSchedulesWhateverTheConfigMapSays() {
        SmallRyeConfig config = config(Map.of("GATEWAY_MIGRATE_AND_EXIT", "true", "GATEWAY_DISPATCH_ENABLED", "true",
                "QUARKUS_SCHEDULER_ENABLED", "true"));
        assertThat(config.getValue("gateway.dispatch.enabled", Boolean.class)).isFalse();
        assertThat(config.getValue("quarkus.scheduler.enabled", Boolean.class)).isFalse();
    }

    @Test
    void aReplicaThatDoesNotMigrateDoesNotBootFlywayAndAMigrationRunDoes() {
        assertThat(config(Map.of("QUARKUS_FLYWAY_MIGRATE_AT_START", "false")).getValue("quarkus.flyway.active", Boolean.class))
                .isFalse();
        assertThat(config(Map.of("QUARKUS_FLYWAY_MIGRATE_AT_START", "true")).getOptionalValue("quarkus.flyway.active",
                Boolean.class)).isEmpty();
        assertThat(config(Map.of()).getOptionalValue("quarkus.flyway.active", Boolean.class)).isEmpty();
        assertThat(config(Map.of("QUARKUS_FLYWAY_MIGRATE_AT_START", "false", "GATEWAY_MIGRATE_AND_EXIT", "true"))
                .getOptionalValue("quarkus.flyway.active", Boolean.class)).as("the Job's run: the ConfigMap says false")
                .isEmpty();
    }

    @Test
    void aReplicaKeepsItsSettings() {
        SmallRyeConfig config = config(Map.of("GATEWAY_MIGRATE_AND_EXIT", "false", "GATEWAY_DISPATCH_ENABLED", "true"));
        assertThat(config.getValue("gateway.dispatch.enabled", Boolean.class)).isTrue();
        assertThat(config.getOptionalValue("quarkus.scheduler.enabled", Boolean.class)).isEmpty();
        assertThat(config(Map.of("GATEWAY_DISPATCH_ENABLED", "true")).getValue("gateway.dispatch.enabled", Boolean.class))
                .isTrue();
    }
}
