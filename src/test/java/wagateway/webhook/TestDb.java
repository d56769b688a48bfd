package wagateway.webhook;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.postgresql.util.PGobject;

/**
 * Plain JDBC to the test database, for arranging rows and asserting effects from test code (which may
 * block). Timestamps come back as {@link java.time.Instant}, jsonb as its text, arrays as lists.
 */
public final class TestDb {

    private TestDb() {
    }

    public static Connection connect() throws SQLException {
        Config config = ConfigProvider.getConfig();
        Properties props = new Properties();
        props.setProperty("user", config.getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres"));
        config.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(p -> props.setProperty("password", p));
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class), props);
    }

    public static List<Map<String, Object>> rows(String sql, Object... params) {
        try (Connection c = connect();
                PreparedStatement statement = prepare(c, sql, params);
                ResultSet rs = statement.executeQuery()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= columns; i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), plain(rs.getObject(i)));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The single row of the query, or null when there is none. */
    public static Map<String, Object> row(String sql, Object... params) {
        List<Map<String, Object>> rows = rows(sql, params);
        if (rows.size() > 1) {
            throw new IllegalStateException("Expected at most one row, got " + rows.size());
        }
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** The first column of the single row, or null. */
    public static Object value(String sql, Object... params) {
        Map<String, Object> row = row(sql, params);
        return row == null ? null : row.values().iterator().next();
    }

    public static long count(String sql, Object... params) {
        return ((Number) value(sql, params)).longValue();
    }

    public static int update(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement statement = prepare(c, sql, params)) {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An outbound message as the dispatcher would have left it, for status webhooks to act on. */
    public static UUID insertOutbound(String recipient, String wamid, String status, String callbackUrl,
            String metadataJson) {
        UUID id = wagateway.support.Ids.next();
        update("insert into outbound_message (id, api_key_id, sender, recipient, type, content, callback_url, metadata, "
                + "status, next_attempt_at, wamid, created_at, updated_at, sent_at) values (?, 'test', 'main', ?, 'text', "
                + "'{\"type\":\"text\",\"text\":{\"body\":\"hello\"}}'::jsonb, ?, ?::jsonb, ?, now(), ?, now(), now(), now())",
                id, recipient, callbackUrl, metadataJson, status, wamid);
        return id;
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement statement = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            statement.setObject(i + 1, params[i]);
        }
        return statement;
    }

    private static Object plain(Object value) throws SQLException {
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        if (value instanceof PGobject object) {
            return object.getValue();
        }
        if (value instanceof Array array) {
            return Arrays.asList((Object[]) array.getArray());
        }
        return value;
    }
}
