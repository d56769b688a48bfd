package wagateway.config;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

import org.jboss.logging.Logger;

/**
 * A PostgreSQL on this machine ({@code PGHOST}/{@code PGPORT}, by default {@code localhost:5432}), where dev mode
 * (and, from the test sources, each test run) keeps its database.
 *
 * @param user {@code quarkus.datasource.username} if set, else {@code postgres} or the OS user, whichever logs in
 * @param password {@code quarkus.datasource.password}, or null
 */
record LocalPostgres(String host, int port, String user, String password) {

    private static final Logger LOG = Logger.getLogger(LocalPostgres.class);

    /**
     * @param lookup reads already-configured properties
     * @return the local PostgreSQL when one listens; else empty, after one clear line on how to configure one when
     *         no container runtime can stand in (Quarkus Dev Services)
     */
    static Optional<LocalPostgres> find(Function<String, Optional<String>> lookup) {
        String host = System.getenv().getOrDefault("PGHOST", "localhost");
        int port = Integer.parseInt(System.getenv().getOrDefault("PGPORT", "5432"));
        if (!reachable(host, port)) {
            if (!containerRuntimeLikely()) {
                LOG.error("No PostgreSQL found: start one on localhost:5432, or set QUARKUS_DATASOURCE_REACTIVE_URL="
                        + "postgresql://<host>:5432/<db> (plus QUARKUS_DATASOURCE_USERNAME / _PASSWORD)");
            }
            return Optional.empty(); // Dev Services may take over
        }
        String password = lookup.apply("quarkus.datasource.password").orElse(null);
        String user = lookup.apply(DatabaseDiscovery.USERNAME).orElseGet(() -> pickUser(host, port));
        return Optional.of(new LocalPostgres(host, port, user, password));
    }

    /** Opens a connection to {@code database} (blocking: configuration time only). */
    Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", "3");
        return DriverManager.getConnection(String.format(Locale.ROOT, "jdbc:postgresql://%s:%d/%s", host, port, database),
                p);
    }

    /** The datasource properties that point the gateway at {@code database} here, with Dev Services off. */
    Map<String, String> datasource(String database) {
        String base = "postgresql://" + host + ":" + port + "/" + database;
        Map<String, String> props = new HashMap<>();
        props.put(DatabaseDiscovery.REACTIVE_URL, base);
        props.put(DatabaseDiscovery.JDBC_URL, "jdbc:" + base);
        props.put(DatabaseDiscovery.USERNAME, user);
        // A database was found: no container is needed.
        props.put("quarkus.datasource.devservices.enabled", "false");
        return props;
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
        return System.getenv("DOCKER_HOST") != null || new File("/var/run/docker.sock").exists()
                || new File("/run/podman/podman.sock").exists();
    }

    /** {@code postgres} is the usual superuser; fall back to the OS user (peer-style local setups). */
    private static String pickUser(String host, int port) {
        for (String candidate : List.of("postgres", System.getProperty("user.name"))) {
            try (Connection ignored = new LocalPostgres(host, port, candidate, null).connect("postgres")) {
                return candidate;
            } catch (SQLException e) {
                // try the next one
            }
        }
        return "postgres";
    }
}
