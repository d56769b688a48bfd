package wagateway.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

import org.jboss.logging.Logger;

/**
 * Finds the PostgreSQL the gateway uses, so that one URL (or none, on a developer machine) is enough.
 *
 * <ol>
 * <li>A configured datasource wins; the JDBC URL Flyway needs is derived from the reactive one (or the
 * reverse), so users set only one.</li>
 * <li>Else, in dev and test, a PostgreSQL on localhost:5432: tests get a fresh database per run (dropped
 * when the JVM exits), dev mode uses {@code wagateway_dev}, created if missing.</li>
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

    /** One test database per JVM (= per test run), shared by every Quarkus start in that run. */
    private static volatile String testDatabase;

    private DatabaseDiscovery() {
    }

    /**
     * @param lookup reads already-configured properties
     * @param profiles the active profiles
     * @return the properties to add (empty when nothing needs adding)
     */
    static Map<String, String> discover(java.util.function.Function<String, Optional<String>> lookup, List<String> profiles) {
        Map<String, String> props = new HashMap<>();
        Optional<String> reactive = lookup.apply(REACTIVE_URL).filter(s -> !s.isBlank());
        Optional<String> jdbc = lookup.apply(JDBC_URL).filter(s -> !s.isBlank());
        if (reactive.isPresent() || jdbc.isPresent()) {
            reactive.ifPresentOrElse(r -> jdbc.ifPresentOrElse(j -> {
            }, () -> props.put(JDBC_URL, toJdbc(r))),
                    () -> props.put(REACTIVE_URL, toReactive(jdbc.get())));
            return props;
        }
        boolean test = profiles.contains("test");
        boolean dev = profiles.contains("dev");
        if (!test && !dev) {
            return props;
        }
        String host = System.getenv().getOrDefault("PGHOST", "localhost");
        int port = Integer.parseInt(System.getenv().getOrDefault("PGPORT", "5432"));
        if (!reachable(host, port)) {
            if (!containerRuntimeLikely()) {
                LOG.error("No PostgreSQL found: start one on localhost:5432, or set QUARKUS_DATASOURCE_REACTIVE_URL="
                        + "postgresql://<host>:5432/<db> (plus QUARKUS_DATASOURCE_USERNAME / _PASSWORD)");
            }
            return props; // Dev Services may take over
        }
        String user = lookup.apply(USERNAME).orElseGet(() -> pickUser(host, port));
        String password = lookup.apply("quarkus.datasource.password").orElse(null);
        String database = test ? testDatabase(host, port, user, password) : ensureDevDatabase(host, port, user, password);
        if (database == null) {
            return props;
        }
        String base = "postgresql://" + host + ":" + port + "/" + database;
        props.put(REACTIVE_URL, base);
        props.put(JDBC_URL, "jdbc:" + base);
        props.put(USERNAME, user);
        // A database was found: no container is needed.
        props.put("quarkus.datasource.devservices.enabled", "false");
        return props;
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

    private static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean containerRuntimeLikely() {
        return System.getenv("DOCKER_HOST") != null || new java.io.File("/var/run/docker.sock").exists()
                || new java.io.File("/run/podman/podman.sock").exists();
    }

    /** {@code postgres} is the usual superuser; fall back to the OS user (peer-style local setups). */
    private static String pickUser(String host, int port) {
        for (String candidate : List.of("postgres", System.getProperty("user.name"))) {
            try (Connection ignored = connect(host, port, "postgres", candidate, null)) {
                return candidate;
            } catch (SQLException e) {
                // try the next one
            }
        }
        return "postgres";
    }

    private static synchronized String testDatabase(String host, int port, String user, String password) {
        if (testDatabase != null) {
            return testDatabase;
        }
        String name = "wagateway_test_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
                + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        try (Connection c = connect(host, port, "postgres", user, password)) {
            c.createStatement().execute("create database " + name);
        } catch (SQLException e) {
            LOG.errorf("Cannot create the test database on %s:%d as %s: %s", host, port, user, e.getMessage());
            return null;
        }
        testDatabase = name;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> dropDatabase(host, port, user, password, name),
                "wagateway-test-db-drop"));
        LOG.infof("Test run uses the fresh database %s (dropped when the run ends)", name);
        return name;
    }

    private static void dropDatabase(String host, int port, String user, String password, String name) {
        try (Connection c = connect(host, port, "postgres", user, password)) {
            c.createStatement().execute("drop database if exists " + name + " with (force)");
        } catch (SQLException e) {
            System.err.println("Could not drop test database " + name + ": " + e.getMessage());
        }
    }

    private static String ensureDevDatabase(String host, int port, String user, String password) {
        String name = "wagateway_dev";
        try (Connection c = connect(host, port, "postgres", user, password)) {
            var rs = c.createStatement().executeQuery("select 1 from pg_database where datname = '" + name + "'");
            if (!rs.next()) {
                c.createStatement().execute("create database " + name);
                LOG.infof("Created the dev database %s", name);
            }
            return name;
        } catch (SQLException e) {
            LOG.errorf("Cannot prepare the dev database on %s:%d as %s: %s", host, port, user, e.getMessage());
            return null;
        }
    }

    private static Connection connect(String host, int port, String db, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", "3");
        return DriverManager.getConnection(String.format(Locale.ROOT, "jdbc:postgresql://%s:%d/%s", host, port, db), p);
    }
}
