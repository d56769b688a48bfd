package wagateway.config;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production build's refusal of sandbox settings: it takes them all, whatever their depth, and names them
 * in one line. (ProductionRefusesSandboxSettingsIT starts the packaged jar with them.)
 */
class SandboxSettingsRefusalTest {

    @Test
    void takesEverySandboxSettingWhateverItsDepth() {
        SandboxSettingsRefusal refusal = new SmallRyeConfigBuilder().withMapping(SandboxSettingsRefusal.class)
                .withSources(new PropertiesConfigSource(Map.of("gateway.sandbox.enabled", "true",
                        "gateway.sandbox.faults.error-rates.\"131000\"", "0.5", "gateway.sandboxes", "other"), "test", 100))
                .build().getConfigMapping(SandboxSettingsRefusal.class);
        assertThat(refusal.settings().keySet()).containsExactlyInAnyOrder("enabled", "faults.error-rates.\"131000\"");
    }

    @Test
    void namesTheSettingsSortedAndSaysWhereTheSimulatorIs() {
        assertThat(SandboxSettingsRefusal.message(Set.of("webhook-url", "enabled"), Set.of("PATH")))
                .isEqualTo("settings are refused by the production build, which has no Cloud API sandbox: remove "
                        + "gateway.sandbox.enabled, gateway.sandbox.webhook-url; the simulator is its own build, "
                        + "target/sandbox-app/quarkus-run.jar (docs/sandbox.md)");
    }

    @Test
    void aSettingFromTheEnvironmentIsNamedAsTheVariable() {
        // GATEWAY_SANDBOX_GATEWAY_API_KEY reaches the mapping as gateway.api.key
        assertThat(SandboxSettingsRefusal.message(Set.of("gateway.api.key", "enabled"),
                Set.of("GATEWAY_SANDBOX_GATEWAY_API_KEY", "HOME")))
                .contains("remove GATEWAY_SANDBOX_GATEWAY_API_KEY, gateway.sandbox.enabled;");
    }

    @Test
    void namesNeverBecomeTemplateExpressions() {
        assertThat(SandboxSettingsRefusal.escapeForTemplate("a.${x}.{y}\\z")).isEqualTo("a.\\$\\{x\\}.\\{y\\}\\\\z");
    }
}
