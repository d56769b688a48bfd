package wagateway.deploy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

/**
 * The property names a {@link ConfigMapping} interface understands, read from the interface itself
 * (kebab-case of the method names, nested groups, {@code *} for a map key), and Quarkus's rule that turns a
 * property name into an environment variable name: upper case, every other character than a letter or a
 * digit becomes {@code _}.
 */
final class ConfigPropertyNames {

    private ConfigPropertyNames() {
    }

    /** @return names such as {@code gateway.senders.*.phone-number-id} */
    static Set<String> of(Class<?> mapping) {
        ConfigMapping annotation = mapping.getAnnotation(ConfigMapping.class);
        if (annotation == null) {
            throw new IllegalArgumentException(mapping + " is not a @ConfigMapping");
        }
        Set<String> names = new TreeSet<>();
        collect(mapping, annotation.prefix(), names);
        return names;
    }

    private static void collect(Class<?> group, String prefix, Set<String> names) {
        for (Method method : group.getMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers()) || method.getParameterCount() > 0) {
                continue;
            }
            String name = method.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (method.isAnnotationPresent(WithName.class) ? method.getAnnotation(WithName.class).value()
                            : kebab(method.getName()));
            add(method.getGenericReturnType(), name, group, names);
        }
    }

    private static void add(Type type, String name, Class<?> group, Set<String> names) {
        Class<?> raw = raw(type);
        if (raw == Optional.class) {
            add(argument(type, 0), name, group, names);
        } else if (Map.class.isAssignableFrom(raw)) {
            add(argument(type, 1), name + ".*", group, names);
        } else if (raw.isInterface() && raw.getName().startsWith(group.getPackageName())) {
            collect(raw, name, names); // a nested group
        } else {
            names.add(name); // a leaf: scalar, duration, list ...
        }
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** {@code gateway.senders.*.phone-number-id} → a pattern matching {@code GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID}. */
    static Pattern envPattern(String propertyPattern) {
        StringBuilder regex = new StringBuilder();
        String[] parts = propertyPattern.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append("[A-Z0-9_]+");
            }
            regex.append(Pattern.quote(envName(parts[i])));
        }
        return Pattern.compile(regex.toString());
    }

    /** Quarkus's environment-variable form of a property name. */
    static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalArgumentException("Unsupported config type " + type);
    }

    private static Type argument(Type type, int index) {
        return ((ParameterizedType) type).getActualTypeArguments()[index];
    }
}
