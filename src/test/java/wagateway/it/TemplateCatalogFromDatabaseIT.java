package wagateway.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The template catalogue across replicas on the packaged jar: a first gateway syncs its account from the simulator
 * (the Graph API); then a second gateway process starts against the same database with the Graph API down (its
 * Cloud API base URL a port nobody listens on) and serves the catalogue from the database alone: it lists it, takes
 * a template message's category from it, and refuses a template it does not have with 422 template_unknown.
 */
class TemplateCatalogFromDatabaseIT {

    static final String PHONE_NUMBER_ID = "100000000000001";
    /** The simulator's one WhatsApp Business Account (sandbox SandboxIds.WABA_ID). */
    static final String WABA_ID = "100000000000000";

    ItDatabase database;
    SimulatorProcess simulator;
    Process first;
    Process second;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        database = ItDatabase.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : new Process[] { first, second }) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
        if (simulator != null) {
            simulator.close();
        }
        database.close();
    }

    @Test
    void aNewReplicaServesTheCatalogueFromTheDatabaseWithTheGraphDown() throws Exception {
        int firstPort = SimulatorProcess.freePort();
        simulator = SimulatorProcess.start(Map.of(
                "GATEWAY_SANDBOX_WEBHOOK_URL", "http://localhost:" + firstPort + "/webhooks/whatsapp",
                "GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID", PHONE_NUMBER_ID,
                "GATEWAY_SENDERS_MAIN_ACCESS_TOKEN", "it-token",
                "GATEWAY_WEBHOOK_APP_SECRET", "it-secret"));
        // a template only the simulator's account has, marketing: the category must come from the catalogue
        assertThat(send(simulator.url(), "PUT", "/sandbox/templates/it_spring_offer", "{\"category\":\"marketing\"}")
                .statusCode()).isEqualTo(200);

        first = gateway(firstPort, simulator.url() + "/sandbox/graph", "first");
        awaitUp(firstPort);
        assertThat(send(local(firstPort), "POST", "/v1/templates/sync", "").body()).contains("\"main\":5");
        first.destroy();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        simulator.close();
        simulator = null;

        // the second replica: same database, the Graph API unreachable
        int secondPort = SimulatorProcess.freePort();
        second = gateway(secondPort, "http://127.0.0.1:" + SimulatorProcess.freePort(), "second");
        awaitUp(secondPort);
        String second = local(secondPort);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(send(second, "GET", "/v1/templates", null)
                .body()).contains("\"it_spring_offer\"", "\"hello_world\""));

        String phone = "+5511" + (900000000L + ThreadLocalRandom.current().nextLong(90000000L));
        assertThat(send(second, "PUT", "/v1/contacts/" + phone + "/consent", "{\"status\":\"opted_in\",\"source\":\"it\"}")
                .statusCode()).isEqualTo(200);
        HttpResponse<String> accepted = send(second, "POST", "/v1/messages", template(phone, "it_spring_offer"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.body()).contains("\"category\":\"marketing\"");

        HttpResponse<String> unknown = send(second, "POST", "/v1/messages", template(phone, "never_made"));
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(422);
        assertThat(unknown.body()).contains("\"reason\":\"template_unknown\"");
    }

    private static String template(String phone, String name) {
        return "{\"to\":\"" + phone + "\",\"type\":\"template\",\"template\":{\"name\":\"" + name
                + "\",\"language\":{\"code\":\"en_US\"}}}";
    }

    private static String local(int port) {
        return "http://localhost:" + port;
    }

    private void awaitUp(int port) {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> send(local(port), "GET", "/v1/messages/00000000-0000-0000-0000-000000000000", null)
                        .statusCode() == 404);
    }

    /** The packaged production jar, one replica of the account {@code main} (the simulator's). */
    private Process gateway(int port, String cloudApi, String name) throws IOException {
        Map<String, String> env = PackagedGateway.environment(port, SimulatorProcess.freePort(), database.reactiveUrl(),
                cloudApi);
        env.put("GATEWAY_WABAS_MAIN_ID", WABA_ID);
        env.put("GATEWAY_WABAS_MAIN_SENDERS", "main");
        env.put("GATEWAY_CLOUD_API_TIMEOUT", "PT2S");
        Path log = Files.createTempFile("wagateway-templates-" + name, ".log");
        return PackagedGateway.start(env, log);
    }

    private HttpResponse<String> send(String base, String method, String path, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer it-key").timeout(Duration.ofSeconds(20));
        if (json == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
