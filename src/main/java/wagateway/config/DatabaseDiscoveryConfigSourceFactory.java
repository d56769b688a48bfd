package wagateway.config;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Plugs {@link DatabaseDiscovery} into configuration. Its ordinal sits below application.properties
 * (250) so anything a user configures wins; registered through {@code META-INF/services}.
 */
public class DatabaseDiscoveryConfigSourceFactory implements ConfigSourceFactory {

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        var props = DatabaseDiscovery.discover(name -> {
            ConfigValue value = context.getValue(name);
            return value == null ? Optional.empty() : Optional.ofNullable(value.getValue());
        }, context.getProfiles());
        return List.of(new PropertiesConfigSource(props, "wagateway-database-discovery", 240));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(240);
    }
}
