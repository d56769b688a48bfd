package wagateway.config;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import org.jboss.logging.Logger;

/**
 * The test run's own database on the local PostgreSQL: {@code wagateway_test_<time>_<random>}, created on first
 * use and dropped when the JVM exits, so two runs never see each other's rows. One per JVM (= per test run),
 * shared by every Quarkus start in that run. A datasource configured for the run (e.g.
 * {@code QUARKUS_DATASOURCE_REACTIVE_URL}) wins, and then nothing is created.
 */
public final class TestDatabase {

    private static final Logger LOG = Logger.getLogger(TestDatabase.class);

    private static Map<String, String> properties;

    private TestDatabase() {
    }

    /**
     * @param lookup reads already-configured properties
     * @return the datasource properties of the run's database; empty when a datasource is configured, or when no
     *         local PostgreSQL can be used (one clear line says why)
     */
    static synchronized Map<String, String> properties(Function<String, Optional<String>> lookup) {
        if (lookup.apply(DatabaseDiscovery.REACTIVE_URL).filter(s -> !s.isBlank()).isPresent()
                || lookup.apply(DatabaseDiscovery.JDBC_URL).filter(s -> !s.isBlank()).isPresent()) {
            return Map.of(); // configured: DatabaseDiscovery derives the other URL
        }
        if (properties != null) {
            return properties;
        }
        Optional<LocalPostgres> postgres = LocalPostgres.find(lookup);
        if (postgres.isEmpty()) {
            return Map.of();
        }
        String name = "wagateway_test_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
                + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        LocalPostgres pg = postgres.get();
        try (Connection c = pg.connect("postgres")) {
            c.createStatement().execute("create database " + name);
        } catch (SQLException e) {
            LOG.errorf("Cannot create the test database on %s:%d as %s: %s", pg.host(), pg.port(), pg.user(),
                    e.getMessage());
            return Map.of();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(pg, name), "wagateway-test-db-drop"));
        LOG.infof("Test run uses the fresh database %s (dropped when the run ends)", name);
        properties = Map.copyOf(pg.datasource(name));
        return properties;
    }

    /** Reads a property from system properties or the environment (Quarkus's mapping), the way a run sets it. */
    static Optional<String> fromEnvironment(String property) {
        return Optional.ofNullable(System.getProperty(property))
                .or(() -> Optional.ofNullable(System.getenv(property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"))));
    }

    private static void drop(LocalPostgres pg, String name) {
        try (Connection c = pg.connect("postgres")) {
            c.createStatement().execute("drop database if exists " + name + " with (force)");
        } catch (SQLException e) {
            System.err.println("Could not drop test database " + name + ": " + e.getMessage());
        }
    }
}
