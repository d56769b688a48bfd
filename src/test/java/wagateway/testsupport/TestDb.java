package wagateway.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Direct JDBC access to the test run's database, for arranging state and asserting what was persisted.
 * Blocking on purpose: it runs on the JUnit thread, never on the event loop.
 */
public final class TestDb {

    private TestDb() {
    }

    public static Connection connect() throws SQLException {
        var config = ConfigProvider.getConfig();
        String url = config.getValue("quarkus.datasource.jdbc.url", String.class);
        String user = config.getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres");
        String password = config.getOptionalValue("quarkus.datasource.password", String.class).orElse(null);
        return DriverManager.getConnection(url, user, password);
    }

    public static int update(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<Map<String, Object>> query(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= n; i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long count(String sql, Object... params) {
        return ((Number) query(sql, params).get(0).values().iterator().next()).longValue();
    }

    /** A phone number no other test uses. */
    public static String freshPhone() {
        return "+5511" + (900000000L + ThreadLocalRandom.current().nextLong(99999999L));
    }

    /** The customer wrote a moment ago: their 24 h window is open (by the application's clock). */
    /** The customer wrote to every business number of the test profiles ({@code main}, {@code second}). */
    public static void openWindow(String phone) {
        openWindow(phone, "main");
        openWindow(phone, "second");
    }

    /** The customer wrote to one business number: the window is kept per number and customer. */
    public static void openWindow(String phone, String sender) {
        update("insert into contact (phone, window_open_until, last_inbound_at, created_at, updated_at) "
                + "values (?, now() + interval '24 hours' + (? * interval '1 second'), now(), now(), now()) "
                + "on conflict (phone) do update set window_open_until = excluded.window_open_until, "
                + "last_inbound_at = excluded.last_inbound_at", phone, TestClockProducer.CLOCK.offsetSeconds());
        update("insert into contact_window (phone, sender, last_inbound_at, window_open_until, updated_at) "
                + "values (?, ?, now(), now() + interval '24 hours' + (? * interval '1 second'), now()) "
                + "on conflict (phone, sender) do update set window_open_until = excluded.window_open_until, "
                + "last_inbound_at = excluded.last_inbound_at", phone, sender, TestClockProducer.CLOCK.offsetSeconds());
    }

    public static void optIn(String phone) {
        setConsent(phone, "opted_in");
    }

    public static void optOut(String phone) {
        setConsent(phone, "opted_out");
    }

    private static void setConsent(String phone, String status) {
        update("insert into contact (phone, consent_status, created_at, updated_at) values (?, ?, now(), now()) "
                + "on conflict (phone) do update set consent_status = excluded.consent_status", phone, status);
        update("insert into consent_event (phone, status, source, actor, recorded_at) values (?, ?, 'test', 'test', now())",
                phone, status);
    }
}
