package wagateway.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code gateway.dispatch.mode=drain} on the packaged jar, as a CronJob runs it: a backlog is queued through the API
 * of a replica that does not dispatch, then the jar starts in drain mode against the simulator, sends what is due,
 * delivers the callbacks, gives its leases back and exits 0 with a line counting what it left for later.
 */
class DrainModeIT {

    static final String PHONE_NUMBER_ID = "100000000000001";
    static final String OTHER_PHONE_NUMBER_ID = "100000000000002";
    static final Pattern LEFT_DUE = Pattern.compile("left due now: (\\d+) message");

    ItDatabase database;
    SimulatorProcess simulator;
    Process api;
    int apiPort;
    HttpServer receiver;
    final Set<String> sentCallbacks = ConcurrentHashMap.newKeySet();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        database = ItDatabase.create();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/callbacks", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            // the payload went through jsonb: its keys come in no particular order
            Matcher m = Pattern.compile("\"messageId\":\"([0-9a-f-]+)\"").matcher(body);
            if (m.find() && body.contains("\"status\":\"sent\"")) {
                sentCallbacks.add(m.group(1));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (api != null && api.isAlive()) {
            api.destroyForcibly();
        }
        if (simulator != null) {
            simulator.close();
        }
        receiver.stop(0);
        database.close();
    }

    @Test
    void drainSendsTheBacklogDeliversCallbacksAndExitsZero() throws Exception {
        startSimulatorAndApi(Map.of());
        List<String> phones = phones(8);
        for (String phone : phones) {
            assertThat(queueTemplate(phone, "main", null)).isEqualTo(202);
        }
        // the same customer twice: the second waits for the pair interval (rule 4), not due in this run
        assertThat(queueTemplate(phones.get(0), "main", null)).isEqualTo(202);
        // one for later
        assertThat(queueTemplate(phones.get(1), "main", OffsetDateTime.now().plusHours(1))).isEqualTo(202);
        stopApi(); // the drain alone from here: whatever is sent and delivered, it did

        Map<String, String> extra = Map.of("GATEWAY_CALLBACKS_URL",
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/callbacks",
                "GATEWAY_CALLBACKS_ALLOW_LOOPBACK", "true",
                // long enough that the second message is surely not due before the run ends
                "GATEWAY_PAIR_RATE_MIN_INTERVAL", "PT5M");
        Drained drained = drain(extra, Duration.ofSeconds(120));

        assertThat(drained.exitCode).as("exit code; log:%n%s", drained.tail()).isZero();
        assertThat(drained.log).contains("Draining sender(s) [main, other]")
                .contains("Drain run exits 0: nothing due now; waiting: 1 scheduled for later, 1 for the pair interval, "
                        + "0 for the messaging limit, 0 in retry back-off");
        assertThat(count("status in ('sent','delivered','read')")).as("the backlog was sent").isEqualTo(8);
        assertThat(count("status = 'queued' and reason = 'pair_rate'")).isEqualTo(1);
        assertThat(count("status = 'scheduled'")).isEqualTo(1);
        assertThat(count("status = 'sending' or lease_owner is not null")).isZero();
        assertThat(sql("select count(*) from sender_state where lease_owner is not null")).as("leases given back")
                .isZero();
        assertThat(sentCallbacks).as("each message's 'sent' callback, delivered by the drain before it exited")
                .hasSize(8);
    }

    @Test
    void aBudgetSpentStopsWithTheWorkLeftLoggedAndExitsZero() throws Exception {
        startSimulatorAndApi(Map.of());
        int total = 20;
        for (String phone : phones(total)) {
            assertThat(queueTemplate(phone, "main", null)).isEqualTo(202);
        }
        stopApi();

        // one a second: twenty take twenty seconds, the budget is eight
        Drained drained = drain(Map.of("GATEWAY_SENDERS_MAIN_MESSAGES_PER_SECOND", "1",
                "GATEWAY_DISPATCH_DRAIN_BUDGET", "PT8S"), Duration.ofSeconds(90));

        assertThat(drained.exitCode).as("a budget spent is not a crash; log:%n%s", drained.tail()).isZero();
        assertThat(drained.log).contains("Drain run exits 0: budget PT8S spent; left due now: ");
        Matcher left = LEFT_DUE.matcher(drained.log);
        assertThat(left.find()).isTrue();
        long sent = count("status in ('sent','delivered','read')");
        assertThat(sent).as("some were sent within the budget").isPositive();
        assertThat(Long.parseLong(left.group(1))).as("the exit line counts what is left").isEqualTo(total - sent)
                .isPositive();
        assertThat(count("status = 'sending' or lease_owner is not null")).as("nothing left claimed").isZero();
        assertThat(sql("select count(*) from sender_state where lease_owner is not null")).isZero();
    }

    @Test
    void aSenderALiveLoopHoldsIsSkipped() throws Exception {
        startSimulatorAndApi(Map.of());
        List<String> phones = phones(7);
        for (int i = 0; i < 3; i++) {
            assertThat(queueTemplate(apiPort, phones.get(i), "main", null)).isEqualTo(202);
        }
        assertThat(queueTemplate(apiPort, phones.get(3), "other", null)).isEqualTo(202);
        stopApi();

        // a live loop replica drives 'other' (and only it). Its token is refused, so it pauses the sender and
        // keeps its lease: what it leaves queued is what a drain that ignored the lease would send
        int loopPort = SimulatorProcess.freePort();
        Map<String, String> loopEnv = new HashMap<>();
        loopEnv.put("GATEWAY_DEFAULT_SENDER", "other");
        loopEnv.put("GATEWAY_SENDERS_OTHER_ACCESS_TOKEN", "a-refused-token");
        Process loop = gateway(loopEnv, loopPort, Files.createTempFile("wagateway-drain-loop", ".log"), "MAIN");
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> sql("select count(*) from sender_state where sender = 'other' "
                            + "and lease_owner is not null and paused_until > now()") == 1);
            for (int i = 4; i < 7; i++) {
                assertThat(queueTemplate(loopPort, phones.get(i), "other", null)).isEqualTo(202);
            }

            Drained drained = drain(Map.of(), Duration.ofSeconds(120));

            assertThat(drained.exitCode).as("exit code; log:%n%s", drained.tail()).isZero();
            assertThat(drained.log).contains("Sender other is skipped: a live replica holds its lease")
                    .contains("Draining sender(s) [main]")
                    .contains("skipped sender(s) [other] (a live replica drives them): 4 message(s) queued");
            assertThat(count("sender = 'main' and status in ('sent','delivered','read')")).isEqualTo(3);
            assertThat(count("sender = 'other' and status = 'queued'")).as("left to the loop, whose sender is paused")
                    .isEqualTo(4);
            assertThat(count("sender = 'other' and status not in ('queued','scheduled')")).isZero();
            assertThat(sql("select count(*) from sender_state where sender = 'other' and lease_owner is not null"))
                    .as("the loop keeps its lease").isEqualTo(1);
            assertThat(loop.isAlive()).isTrue();
        } finally {
            loop.destroy();
            loop.waitFor(30, TimeUnit.SECONDS);
        }
    }

    // ---- processes

    private void startSimulatorAndApi(Map<String, String> extra) throws Exception {
        apiPort = SimulatorProcess.freePort();
        simulator = SimulatorProcess.start(Map.of(
                "GATEWAY_SANDBOX_WEBHOOK_URL", "http://localhost:" + apiPort + "/webhooks/whatsapp",
                "GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID", PHONE_NUMBER_ID,
                "GATEWAY_SENDERS_MAIN_ACCESS_TOKEN", "it-token",
                "GATEWAY_SENDERS_OTHER_PHONE_NUMBER_ID", OTHER_PHONE_NUMBER_ID,
                "GATEWAY_SENDERS_OTHER_ACCESS_TOKEN", "it-token",
                "GATEWAY_WEBHOOK_APP_SECRET", "it-secret"));
        Map<String, String> env = new HashMap<>(extra);
        env.put("GATEWAY_DISPATCH_ENABLED", "false"); // an API replica: accepts, never dispatches
        api = gateway(env, apiPort, Files.createTempFile("wagateway-drain-api", ".log"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/messages/"
                        + "00000000-0000-0000-0000-000000000000")).header("Authorization", "Bearer it-key").build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 404);
    }

    private void stopApi() throws InterruptedException {
        api.destroy();
        assertThat(api.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    private record Drained(int exitCode, String log) {
        String tail() {
            return log.length() > 6000 ? log.substring(log.length() - 6000) : log;
        }
    }

    /** Runs the jar in drain mode until it exits by itself. */
    private Drained drain(Map<String, String> extra, Duration patience) throws Exception {
        Map<String, String> env = new HashMap<>(extra);
        env.put("GATEWAY_DISPATCH_MODE", "drain");
        Path log = Files.createTempFile("wagateway-drain", ".log");
        Process drain = gateway(env, SimulatorProcess.freePort(), log);
        boolean exited = drain.waitFor(patience.toSeconds(), TimeUnit.SECONDS);
        if (!exited) {
            drain.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(exited).as("the drain exits by itself; log:%n%s", output).isTrue();
        return new Drained(drain.exitValue(), output);
    }

    /** The packaged jar with the settings of this test, {@code extra} over them, without the senders named. */
    private Process gateway(Map<String, String> extra, int port, Path log, String... withoutSenders)
            throws IOException {
        Map<String, String> env = PackagedGateway.environment(port, SimulatorProcess.freePort(), database.reactiveUrl(),
                simulator.url() + "/sandbox/graph");
        env.put("GATEWAY_SENDERS_OTHER_PHONE_NUMBER_ID", OTHER_PHONE_NUMBER_ID);
        env.put("GATEWAY_SENDERS_OTHER_ACCESS_TOKEN", "it-token");
        env.put("GATEWAY_MESSAGING_LIMIT_DAILY_UNIQUE_RECIPIENTS", "0");
        env.putAll(extra);
        for (String sender : withoutSenders) {
            env.keySet().removeIf(name -> name.startsWith("GATEWAY_SENDERS_" + sender + "_"));
        }
        return PackagedGateway.start(env, log);
    }

    // ---- API and database

    private static List<String> phones(int n) {
        long base = 900000000L + ThreadLocalRandom.current().nextLong(90000000L);
        return java.util.stream.LongStream.range(0, n).mapToObj(i -> "+5511" + (base + i)).toList();
    }

    private int queueTemplate(String phone, String from, OffsetDateTime sendAt) throws Exception {
        return queueTemplate(apiPort, phone, from, sendAt);
    }

    private int queueTemplate(int port, String phone, String from, OffsetDateTime sendAt) throws Exception {
        assertThat(call(port, "PUT", "/v1/contacts/" + phone + "/consent", "{\"status\":\"opted_in\",\"source\":\"it\"}"))
                .isEqualTo(200);
        return call(port, "POST", "/v1/messages", "{\"to\":\"" + phone + "\",\"from\":\"" + from + "\","
                + (sendAt == null ? "" : "\"sendAt\":\"" + sendAt + "\",")
                + "\"type\":\"template\",\"category\":\"utility\","
                + "\"template\":{\"name\":\"hello_world\",\"language\":{\"code\":\"en_US\"}}}");
    }

    private String base() {
        return "http://localhost:" + apiPort;
    }

    private int call(int port, String method, String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer it-key").header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            System.err.println(method + " " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return response.statusCode();
    }

    private long count(String where) throws SQLException {
        return sql("select count(*) from outbound_message where " + where);
    }

    private long sql(String query) throws SQLException {
        try (Connection c = database.connect(); ResultSet rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
