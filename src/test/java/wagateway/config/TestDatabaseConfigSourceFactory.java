package wagateway.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Points every {@code @QuarkusTest} (test profile) at the run's {@link TestDatabase}. Its ordinal sits below
 * application.properties (250) so anything configured wins; registered through the test sources'
 * {@code META-INF/services}, so the packaged application never has it ({@code *IT}s get the database from
 * {@link TestDatabaseResource}).
 */
public class TestDatabaseConfigSourceFactory implements ConfigSourceFactory {

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> props = context.getProfiles().contains("test") ? TestDatabase.properties(name -> {
            ConfigValue value = context.getValue(name);
            return value == null ? Optional.empty() : Optional.ofNullable(value.getValue());
        }) : Map.of();
        return List.of(new PropertiesConfigSource(props, "wagateway-test-database", 240));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(240);
    }
}
