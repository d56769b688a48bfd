package wagateway.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Gives each test JVM a free HTTP port and a free management port (health, metrics: {@link Management}), chosen
 * once, so parallel runs on one machine never collide and config that must name the port (the in-process
 * sandbox's URL) can use {@code ${quarkus.http.test-port}}.
 */
public class FreeTestPortConfigSourceFactory implements ConfigSourceFactory {

    private static final int PORT = freePort();
    private static final int MANAGEMENT_PORT = freePort();

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        return List.of(new PropertiesConfigSource(Map.of("quarkus.http.test-port", String.valueOf(PORT),
                "quarkus.management.test-port", String.valueOf(MANAGEMENT_PORT)),
                "wagateway-free-test-port", 245));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(245);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
