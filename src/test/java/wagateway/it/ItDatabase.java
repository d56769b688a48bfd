package wagateway.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;

/** A fresh database on the local PostgreSQL for one packaged gateway, dropped afterwards. */
final class ItDatabase implements AutoCloseable {

    static final String SERVER = "jdbc:postgresql://localhost:5432/";
    static final String USER = "postgres";

    private final String name;

    private ItDatabase(String name) {
        this.name = name;
    }

    static ItDatabase create() throws SQLException {
        String name = "wagateway_it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, null)) {
            c.createStatement().execute("create database " + name);
        }
        return new ItDatabase(name);
    }

    String name() {
        return name;
    }

    /** What the gateway is given ({@code QUARKUS_DATASOURCE_REACTIVE_URL}); it derives the JDBC URL itself. */
    String reactiveUrl() {
        return "postgresql://localhost:5432/" + name;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(SERVER + name, USER, null);
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, null)) {
            c.createStatement().execute("drop database if exists " + name + " with (force)");
        }
    }
}
