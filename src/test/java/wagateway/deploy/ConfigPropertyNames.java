package wagateway.deploy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

/**
 * The property names a {@link ConfigMapping} interface understands, read from the interface itself
 * (kebab-case of the method names, nested groups, {@code *} for a map key) with their defaults, and Quarkus's
 * rule that turns a property name into an environment variable name: upper case, every other character than a
 * letter or a digit becomes {@code _}.
 */
final class ConfigPropertyNames {

    private ConfigPropertyNames() {
    }

    /** @return names such as {@code gateway.senders.*.phone-number-id} */
    static Set<String> of(Class<?> mapping) {
        return defaults(mapping).keySet();
    }

    /**
     * @return every name of {@link #of}, with its {@link WithDefault} value (empty when it has none), in name
     *         order
     */
    static Map<String, Optional<String>> defaults(Class<?> mapping) {
        ConfigMapping annotation = mapping.getAnnotation(ConfigMapping.class);
        if (annotation == null) {
            throw new IllegalArgumentException(mapping + " is not a @ConfigMapping");
        }
        Map<String, Optional<String>> names = new TreeMap<>();
        collect(mapping, annotation.prefix(), names);
        return names;
    }

    private static void collect(Class<?> group, String prefix, Map<String, Optional<String>> names) {
        for (Method method : group.getMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers()) || method.getParameterCount() > 0) {
                continue;
            }
            String name = method.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (method.isAnnotationPresent(WithName.class) ? method.getAnnotation(WithName.class).value()
                            : kebab(method.getName()));
            add(method.getGenericReturnType(), name, group, method, names);
        }
    }

    private static void add(Type type, String name, Class<?> group, Method method, Map<String, Optional<String>> names) {
        Class<?> raw = raw(type);
        if (raw == Optional.class) {
            add(argument(type, 0), name, group, method, names);
        } else if (Map.class.isAssignableFrom(raw)) {
            add(argument(type, 1), name + ".*", group, method, names);
        } else if (raw.isInterface() && raw.getName().startsWith(group.getPackageName())) {
            collect(raw, name, names); // a nested group
        } else {
            // a leaf: scalar, duration, list ...
            names.put(name, Optional.ofNullable(method.getAnnotation(WithDefault.class)).map(WithDefault::value));
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
