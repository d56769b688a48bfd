package wagateway.config;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.jboss.logging.Logger;

/**
 * Finds the PostgreSQL the gateway uses, so that one URL (or none, in dev mode) is enough.
 *
 * <ol>
 * <li>A configured datasource wins; the JDBC URL Flyway needs is derived from the reactive one (or the
 * reverse), so users set only one.</li>
 * <li>Else, in dev mode only, a PostgreSQL on localhost:5432 ({@link LocalPostgres}): dev mode uses
 * {@code wagateway_dev}, created if missing. (Tests bring their own fresh database per run, from the test
 * sources.)</li>
 * <li>Else nothing is set, which leaves Quarkus Dev Services to start a container where a container
 * runtime exists.</li>
 * <li>Else one clear line says how to point the gateway at a PostgreSQL.</li>
 * </ol>
 */
final class DatabaseDiscovery {

    private static final Logger LOG = Logger.getLogger(DatabaseDiscovery.class);
    static final String REACTIVE_URL = "quarkus.datasource.reactive.url";
    static final String JDBC_URL = "quarkus.datasource.jdbc.url";
    static final String USERNAME = "quarkus.datasource.username";
    static final String DEV_DATABASE = "wagateway_dev";

    private DatabaseDiscovery() {
    }

    /**
     * @param lookup reads already-configured properties
     * @param profiles the active profiles
     * @return the properties to add (empty when nothing needs adding)
     */
    static Map<String, String> discover(Function<String, Optional<String>> lookup, List<String> profiles) {
        Optional<String> reactive = lookup.apply(REACTIVE_URL).filter(s -> !s.isBlank());
        Optional<String> jdbc = lookup.apply(JDBC_URL).filter(s -> !s.isBlank());
        if (reactive.isPresent() || jdbc.isPresent()) {
            Map<String, String> props = new HashMap<>();
            reactive.ifPresentOrElse(r -> jdbc.ifPresentOrElse(j -> {
            }, () -> props.put(JDBC_URL, toJdbc(r))),
                    () -> props.put(REACTIVE_URL, toReactive(jdbc.get())));
            return props;
        }
        if (!profiles.contains("dev")) {
            return Map.of(); // production never guesses
        }
        return LocalPostgres.find(lookup).flatMap(DatabaseDiscovery::ensureDevDatabase).orElse(Map.of());
    }

    static String toJdbc(String reactiveUrl) {
        String url = reactiveUrl.startsWith("vertx-reactive:") ? reactiveUrl.substring("vertx-reactive:".length())
                : reactiveUrl;
        if (url.startsWith("postgres://")) {
            url = "postgresql://" + url.substring("postgres://".length());
        }
        return url.startsWith("jdbc:") ? url : "jdbc:" + url;
    }

    static String toReactive(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:") ? jdbcUrl.substring("jdbc:".length()) : jdbcUrl;
    }

    /** Dev mode only: {@value #DEV_DATABASE}, created on first use and kept between runs. */
    private static Optional<Map<String, String>> ensureDevDatabase(LocalPostgres postgres) {
        try (Connection c = postgres.connect("postgres")) {
            ResultSet rs = c.createStatement()
                    .executeQuery("select 1 from pg_database where datname = '" + DEV_DATABASE + "'");
            if (!rs.next()) {
                c.createStatement().execute("create database " + DEV_DATABASE);
                LOG.infof("Created the dev database %s", DEV_DATABASE);
            }
            return Optional.of(postgres.datasource(DEV_DATABASE));
        } catch (SQLException e) {
            LOG.errorf("Cannot prepare the dev database on %s:%d as %s: %s", postgres.host(), postgres.port(),
                    postgres.user(), e.getMessage());
            return Optional.empty();
        }
    }
}
