package wagateway.config;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.Unremovable;
import io.quarkus.arc.profile.UnlessBuildProfile;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidator;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilderCustomizer;
import io.smallrye.config.WithParentName;

/**
 * The production build has no Cloud API sandbox: Quarkus removed its beans, routes and configuration while
 * building it, so no setting can switch it on. A {@code gateway.sandbox.*} setting given to it (a property, or a
 * {@code GATEWAY_SANDBOX_*} variable) is a mistake, most likely a simulator's settings handed to the gateway, or a
 * deployment that still relies on {@code gateway.sandbox.enabled}; ignoring it would let the operator believe a
 * simulator runs. This mapping takes every such setting and, in the production build, refuses them all in one
 * line while the configuration is read, before anything starts (the database included):
 *
 * <pre>
 * Configuration validation failed:
 * 	gateway.sandbox settings are refused by the production build, which has no Cloud API sandbox: remove …
 * </pre>
 *
 * Quarkus then exits with status 1. Only the names are shown: values may be secrets.
 * <p>
 * The check is SmallRye Config's own mapping validator ({@link Refuse}, installed by
 * {@code META-INF/services/io.smallrye.config.SmallRyeConfigBuilderCustomizer}), not a Bean Validation
 * constraint: one constrained mapping is enough for Quarkus to boot Hibernate Validator on every start to validate
 * the whole configuration, a fifth to a third of the start's main-thread CPU (docs/performance.md, Issue 19).
 * <p>
 * Build-profile annotations do not apply to config mappings, so this one exists in the dev, test and simulator
 * builds too, where these settings are the sandbox's
 * own (the simulator's own mapping, {@code SandboxConfig}). There it lets them all pass: the bean {@link InProductionBuild},
 * which exists in the production build alone, tells the builds apart (ArC is up before the configuration is
 * read at run time).
 */
@ConfigMapping(prefix = "gateway.sandbox")
public interface SandboxSettingsRefusal {

    /** Every {@code gateway.sandbox.*} setting, by its name after {@code gateway.sandbox.}; must be none. */
    @WithParentName
    Map<String, String> settings();

    /**
     * Keeps this mapping in every build. Quarkus maps at run time only the mappings some bean injects (or that carry
     * a Bean Validation constraint, as this one did): without it, a {@code gateway.sandbox.*} setting would stop
     * the start as "does not map to any root", not with the refusal's line. Does nothing else.
     */
    @Unremovable
    @Singleton
    class KeptInEveryBuild {
        @Inject
        SandboxSettingsRefusal refusal;
    }

    /** Exists in the production build only: the builds that carry the sandbox keep it out. Does nothing. */
    @Unremovable
    @UnlessBuildProfile(anyOf = { "dev", "test", "sandbox" })
    @Singleton
    class InProductionBuild {

        /** False while Quarkus builds (no container yet): nothing is refused then. */
        static boolean isThisBuild() {
            ArcContainer container = Arc.container();
            return container != null && container.select(InProductionBuild.class).isResolvable();
        }
    }

    /**
     * Adds the refusal to SmallRye Config's mapping validator, after whatever validator is already there (Hibernate
     * Validator's, should a constrained mapping come back): it throws the same {@link ConfigValidationException}
     * Bean Validation did, which Quarkus reports in one line and exits with status 1.
     */
    class Refuse implements SmallRyeConfigBuilderCustomizer {

        private final BooleanSupplier productionBuild;

        /** Service-loader constructor: the build is told apart by {@link InProductionBuild}. */
        public Refuse() {
            this(InProductionBuild::isThisBuild);
        }

        Refuse(BooleanSupplier productionBuild) {
            this.productionBuild = productionBuild;
        }

        @Override
        public void configBuilder(SmallRyeConfigBuilder builder) {
            ConfigValidator previous = builder.getValidator();
            builder.withValidator((mappingClass, prefix, mapping) -> {
                if (mapping instanceof SandboxSettingsRefusal refusal) {
                    check(refusal.settings());
                }
                previous.validateMapping(mappingClass, prefix, mapping);
            });
        }

        private void check(Map<String, String> settings) {
            if (settings == null || settings.isEmpty() || !productionBuild.getAsBoolean()) {
                return;
            }
            throw new ConfigValidationException(new ConfigValidationException.Problem[] {
                    new ConfigValidationException.Problem(
                            "gateway.sandbox " + message(settings.keySet(), System.getenv().keySet())) });
        }

        /** After Quarkus's own customizers, so that a validator they install is kept and called after this one. */
        @Override
        public int priority() {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * The line, after the {@code gateway.sandbox} Quarkus puts in front of it. A setting that came from an
     * environment variable is named as the variable: its property name, guessed back from the variable, could
     * be wrong ({@code GATEWAY_SANDBOX_GATEWAY_URL} reaches the mapping as {@code gateway.url}).
     *
     * @param keys the settings' names after {@code gateway.sandbox.}
     * @param environment the names of the process's environment variables
     */
    static String message(Set<String> keys, Set<String> environment) {
        TreeSet<String> named = new TreeSet<>();
        for (String key : keys) {
            String variable = "GATEWAY_SANDBOX_" + key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
            named.add(environment.contains(variable) ? variable : "gateway.sandbox." + key);
        }
        return "settings are refused by the production build, which has no Cloud API sandbox: remove "
                + String.join(", ", named) + "; the simulator is its own build, target/sandbox-app/quarkus-run.jar "
                + "(docs/sandbox.md)";
    }
}
