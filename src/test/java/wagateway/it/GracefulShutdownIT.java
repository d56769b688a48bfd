package wagateway.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM while sends are in flight (the simulator answers after 3 s): the packaged gateway stops claiming,
 * lets the in-flight sends finish and records them, and gives its leases back — no message is left in
 * {@code sending}, none is lost. Runs the jar as a real process with production configuration from
 * environment variables, as Kubernetes would, against the simulator build as a process of its own.
 */
class GracefulShutdownIT {

    static final String PG = "jdbc:postgresql://localhost:5432/";
    String database;
    Process gateway;
    SimulatorProcess simulator;
    int port;
    int managementPort;

    @BeforeEach
    void createDatabase() throws SQLException {
        database = "wagateway_it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", null)) {
            c.createStatement().execute("create database " + database);
        }
    }

    @AfterEach
    void cleanUp() throws SQLException {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroyForcibly();
        }
        if (simulator != null) {
            try {
                simulator.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", null)) {
            c.createStatement().execute("drop database if exists " + database + " with (force)");
        }
    }

    @Test
    void sigtermDuringDispatchLeavesNothingInSending() throws Exception {
        port = SimulatorProcess.freePort();
        managementPort = SimulatorProcess.freePort();
        simulator = SimulatorProcess.start(Map.of(
                "GATEWAY_SANDBOX_WEBHOOK_URL", "http://localhost:" + port + "/webhooks/whatsapp",
                "GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID", "100000000000001",
                "GATEWAY_SENDERS_MAIN_ACCESS_TOKEN", "it-token",
                "GATEWAY_WEBHOOK_APP_SECRET", "it-secret",
                "GATEWAY_SANDBOX_FAULTS_LATENCY_MIN", "PT3S",
                "GATEWAY_SANDBOX_FAULTS_LATENCY_MAX", "PT3S"));
        Path log = Files.createTempFile("wagateway-shutdown", ".log");
        Map<String, String> env = PackagedGateway.environment(port, managementPort,
                "postgresql://localhost:5432/" + database, simulator.url() + "/sandbox/graph");
        env.put("GATEWAY_DISPATCH_BATCH_SIZE", "10");
        env.put("GATEWAY_MESSAGING_LIMIT_DAILY_UNIQUE_RECIPIENTS", "0");
        gateway = PackagedGateway.start(env, log);
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

        int total = 30;
        for (int i = 0; i < total; i++) {
            String phone = "+5511" + (900000000L + ThreadLocalRandom.current().nextLong(99999999L));
            assertThat(call(http, "PUT", "/v1/contacts/" + phone + "/consent", "{\"status\":\"opted_in\",\"source\":\"it\"}"))
                    .isEqualTo(200);
            assertThat(
                    call(http, "POST", "/v1/messages",
                            "{\"to\":\"" + phone + "\",\"type\":\"template\",\"category\":\"utility\","
                                    + "\"template\":{\"name\":\"hello_world\",\"language\":{\"code\":\"en_US\"}}}"))
                    .isEqualTo(202);
        }
        // a batch is out at the (slow) Cloud API
        await().atMost(Duration.ofSeconds(30)).until(() -> count("status = 'sending'") > 0);

        gateway.destroy(); // SIGTERM
        assertThat(gateway.waitFor(40, TimeUnit.SECONDS)).as("stopped within the grace period").isTrue();

        String output = Files.readString(log);
        assertThat(count("status = 'sending'")).as("left in sending; log:%n%s", tail(output)).isZero();
        long sent = count("status in ('sent','delivered','read')");
        long queued = count("status = 'queued'");
        assertThat(sent).as("in-flight sends finished and were recorded").isGreaterThanOrEqualTo(1);
        assertThat(sent + queued).as("nothing lost").isEqualTo(total);
        assertThat(count("lease_owner is not null")).isZero();
        assertThat(output).contains("Dispatcher stopped");
    }

    private String base() {
        return "http://localhost:" + port;
    }

    private int call(HttpClient http, String method, String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", "Bearer it-key")
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private long count(String where) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG + database, "postgres", null);
                ResultSet rs = c.createStatement().executeQuery("select count(*) from outbound_message where " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String tail(String output) {
        return output.length() > 4000 ? output.substring(output.length() - 4000) : output;
    }
}
