package wagateway.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16, point 8: the packaged jar in production refuses to start without {@code gateway.callbacks.secret}
 * while callbacks can be sent (per-message callback URLs are on by default), with status 1 and one line that
 * says why and how to turn per-message URLs off.
 */
class ProductionNeedsCallbackSecretIT {

    static final String REFUSAL = "gateway.callbacks.secret is required in production";

    @Test
    void aProductionStartWithoutTheCallbackSecretStopsWithOneLine() throws Exception {
        try (ItDatabase database = ItDatabase.create()) {
            Path log = Files.createTempFile("wagateway-callback-secret", ".log");
            ProcessBuilder builder = new ProcessBuilder(SimulatorProcess.javaBinary(), "-jar",
                    "target/quarkus-app/quarkus-run.jar").redirectErrorStream(true).redirectOutput(log.toFile());
            // a free management port too: where the build has a management interface, 9000 may be taken
            builder.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(SimulatorProcess.freePort()));
            builder.environment().putAll(Map.of(
                    "QUARKUS_HTTP_PORT", String.valueOf(SimulatorProcess.freePort()),
                    "QUARKUS_DATASOURCE_REACTIVE_URL", database.reactiveUrl(),
                    "QUARKUS_DATASOURCE_USERNAME", ItDatabase.USER,
                    "GATEWAY_API_KEYS", "it-key",
                    "GATEWAY_DEFAULT_SENDER", "main",
                    "GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID", "100000000000001",
                    "GATEWAY_SENDERS_MAIN_ACCESS_TOKEN", "it-token",
                    "GATEWAY_WEBHOOK_APP_SECRET", "it-secret",
                    "GATEWAY_WEBHOOK_VERIFY_TOKEN", "it-verify",
                    "GATEWAY_CLOUD_API_BASE_URL", "http://localhost:9/unused"));
            Process gateway = builder.start();
            boolean exited = gateway.waitFor(90, TimeUnit.SECONDS);
            if (!exited) {
                gateway.destroyForcibly();
            }
            String output = Files.readString(log);
            assertThat(exited).as("exited; output:%n%s", output).isTrue();
            assertThat(gateway.exitValue()).as("exit status; output:%n%s", output).isEqualTo(1);
            assertThat(output.lines().filter(line -> line.contains("Configuration: " + REFUSAL)).toList()).as(output)
                    .singleElement().asString().contains("gateway.callbacks.per-message-urls=false");
        }
    }
}
