package wagateway.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A production start that names a sandbox setting (a property or a {@code GATEWAY_SANDBOX_*} variable) stops at
 * once, before it touches anything (no database is configured here: the refusal comes first), with status 1 and
 * one line that names the settings, never their values.
 */
class ProductionRefusesSandboxSettingsIT {

    static final String REFUSAL = "gateway.sandbox settings are refused by the production build, which has no Cloud API sandbox";

    @Test
    void aSandboxSettingStopsTheStartWithOneLine() throws Exception {
        Path log = Files.createTempFile("wagateway-refusal", ".log");
        ProcessBuilder builder = new ProcessBuilder(SimulatorProcess.javaBinary(),
                "-Dquarkus.http.port=" + SimulatorProcess.freePort(), "-Dgateway.sandbox.enabled=true",
                "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("GATEWAY_SANDBOX_GATEWAY_API_KEY", "not-for-the-log-4711");
        Process gateway = builder.start();
        boolean exited = gateway.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            gateway.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(exited).as("exited; output:%n%s", output).isTrue();
        assertThat(gateway.exitValue()).as("exit status; output:%n%s", output).isEqualTo(1);
        assertThat(output.lines().filter(line -> line.contains(REFUSAL)).toList()).as(output).singleElement()
                .satisfies(line -> assertThat(line).contains("gateway.sandbox.enabled", "GATEWAY_SANDBOX_GATEWAY_API_KEY",
                        "target/sandbox-app/quarkus-run.jar"));
        assertThat(output).as("values stay out of the output").doesNotContain("not-for-the-log-4711");
        assertThat(output).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void theOldWayOfRunningTheSimulatorFromTheProductionJarIsRefusedToo() throws Exception {
        Path log = Files.createTempFile("wagateway-refusal", ".log");
        // the sandbox profile's own settings (application.properties) are sandbox settings
        Process gateway = new ProcessBuilder(SimulatorProcess.javaBinary(), "-Dquarkus.profile=sandbox",
                "-Dquarkus.http.port=" + SimulatorProcess.freePort(), "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = gateway.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            gateway.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(exited).as("exited; output:%n%s", output).isTrue();
        assertThat(gateway.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains(REFUSAL).contains("gateway.sandbox.webhook-url");
    }
}
