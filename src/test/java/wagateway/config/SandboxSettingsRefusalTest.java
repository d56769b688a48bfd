package wagateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void theProductionBuildRefusesThemInOneProblemWhileTheConfigurationIsBuilt() {
        SmallRyeConfigBuilder builder = withSettings(Map.of("gateway.sandbox.enabled", "true"));
        new SandboxSettingsRefusal.Refuse(() -> true).configBuilder(builder);
        assertThatThrownBy(builder::build).isInstanceOfSatisfying(ConfigValidationException.class, e -> {
            assertThat(e.getProblemCount()).isEqualTo(1);
            assertThat(e.getProblem(0).getMessage()).startsWith(
                    "gateway.sandbox settings are refused by the production build, which has no Cloud API sandbox: "
                            + "remove gateway.sandbox.enabled;");
        });
    }

    @Test
    void theBuildsThatCarryTheSandboxLetThemPass() {
        SmallRyeConfigBuilder builder = withSettings(Map.of("gateway.sandbox.enabled", "true"));
        new SandboxSettingsRefusal.Refuse(() -> false).configBuilder(builder);
        assertThat(builder.build().getConfigMapping(SandboxSettingsRefusal.class).settings()).containsKey("enabled");
    }

    @Test
    void withoutSandboxSettingsTheProductionBuildStartsAndTheValidatorBeforeStillRuns() {
        SmallRyeConfigBuilder builder = withSettings(Map.of("gateway.other", "x"));
        List<String> validatedBefore = new ArrayList<>();
        builder.withValidator((type, prefix, mapping) -> validatedBefore.add(prefix));
        new SandboxSettingsRefusal.Refuse(() -> true).configBuilder(builder);
        assertThat(builder.build().getConfigMapping(SandboxSettingsRefusal.class).settings()).isEmpty();
        assertThat(validatedBefore).contains("gateway.sandbox");
    }

    private static SmallRyeConfigBuilder withSettings(Map<String, String> settings) {
        return new SmallRyeConfigBuilder().withMapping(SandboxSettingsRefusal.class)
                .withSources(new PropertiesConfigSource(settings, "test", 100));
    }
}
