package wagateway.deploy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Our classes whose static fields hold state that belongs to the running process. Quarkus initialises
 * classes while building a native image unless told otherwise, and whatever a static initialiser creates
 * then is frozen into the image: a random generator would hand every pod the same seed (GraalVM refuses
 * some outright), a captured time or clock would be the build's, a thread or an address the build
 * machine's. Such classes must be initialised at run time ({@code --initialize-at-run-time}).
 */
final class BuildTimeInitHazards {

    /** Types that must not be created at image build time. */
    static final List<String> HAZARDOUS_TYPES = List.of(
            "java.util.Random", // includes SecureRandom and ThreadLocalRandom
            "java.util.SplittableRandom",
            "com.fasterxml.uuid.UUIDGenerator", // UUID generators keep a SecureRandom (and a clock)
            "java.time.Clock", "java.time.Instant", "java.time.LocalDateTime", "java.time.OffsetDateTime",
            "java.time.ZonedDateTime",
            "java.lang.Thread", "java.util.concurrent.Executor", "java.util.Timer",
            "java.net.InetAddress", "java.nio.channels.Channel");

    private BuildTimeInitHazards() {
    }

    /** @return names of our classes with a static field of a hazardous type, with the reason */
    static Set<String> find(JacksonBoundTypes classes) {
        List<Class<?>> hazardous = new ArrayList<>();
        for (String name : HAZARDOUS_TYPES) {
            try {
                hazardous.add(Class.forName(name, false, BuildTimeInitHazards.class.getClassLoader()));
            } catch (ClassNotFoundException e) {
                // a library we do not use: nothing of ours can hold one
            }
        }
        Set<String> found = new TreeSet<>();
        for (String name : classes.classNames()) {
            for (Field field : classes.load(name).getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && hazardous.stream().anyMatch(h -> h.isAssignableFrom(field.getType()))) {
                    found.add(name);
                }
            }
        }
        return found;
    }
}
