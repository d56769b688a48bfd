package wagateway.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.inject.Singleton;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.Unremovable;
import io.quarkus.arc.profile.UnlessBuildProfile;
import io.smallrye.config.ConfigMapping;
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
 * Build-profile annotations do not apply to config mappings, and a mapping with constraints is kept in every
 * build, so this one exists in the dev, test and simulator builds too, where these settings are the sandbox's
 * own (the simulator's own mapping, {@code SandboxConfig}). There it lets them all pass: the bean {@link InProductionBuild},
 * which exists in the production build alone, tells the builds apart (ArC is up before the configuration is
 * read at run time).
 */
@ConfigMapping(prefix = "gateway.sandbox")
public interface SandboxSettingsRefusal {

    /** Every {@code gateway.sandbox.*} setting, by its name after {@code gateway.sandbox.}; must be none. */
    @WithParentName
    @NoSandboxSettings
    Map<String, String> settings();

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

    /** The settings must be none; the violation names them. */
    @Target({ ElementType.METHOD, ElementType.FIELD, ElementType.TYPE_USE })
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = NoSandboxSettingsValidator.class)
    @interface NoSandboxSettings {
        String message() default "gateway.sandbox settings are refused by the production build";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    class NoSandboxSettingsValidator implements ConstraintValidator<NoSandboxSettings, Map<String, String>> {
        @Override
        public boolean isValid(Map<String, String> settings, ConstraintValidatorContext context) {
            if (settings == null || settings.isEmpty() || !InProductionBuild.isThisBuild()) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(
                    escapeForTemplate(message(settings.keySet(), System.getenv().keySet())))
                    .addConstraintViolation();
            return false;
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

    /** The names come from configuration: they must reach the message as text, never as a template expression. */
    static String escapeForTemplate(String text) {
        return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
    }
}
