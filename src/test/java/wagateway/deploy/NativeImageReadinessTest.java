package wagateway.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.annotations.RegisterForReflection;
import wagateway.deploy.fixture.JsonFixtures;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a native image needs from our sources, checked on every build without GraalVM: every class Jackson
 * binds is registered for reflection, classes with per-process static state are initialised at run time,
 * and Flyway's migrations are packed into the image. {@link NativeSourcesIT} then checks the generated
 * native-image configuration itself.
 */
class NativeImageReadinessTest {

    static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");
    static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

    @Test
    void everyClassJacksonBindsIsRegisteredForReflection() {
        JacksonBoundTypes scan = JacksonBoundTypes.ofMainClasses();
        Set<String> registered = registeredForReflection(scan);
        List<String> missing = scan.find().stream().map(Class::getName).filter(n -> !registered.contains(n)).toList();
        assertThat(missing).as("add @RegisterForReflection (Jackson needs them by reflection in a native image)").isEmpty();
    }

    @Test
    void theScanFindsTheApiTypes() {
        assertThat(JacksonBoundTypes.ofMainClasses().find()).extracting(Class::getName).contains(
                "wagateway.message.SendMessageRequest", // via treeToValue
                "wagateway.message.MessageView", // endpoint answer
                "wagateway.message.MessageView$TimelineView", // component
                "wagateway.message.MessageView$ErrorView",
                "wagateway.message.MessageResource$BatchResponse", // endpoint answer
                "wagateway.message.MessageResource$Page",
                "wagateway.message.MessageIntakeService$BatchItemResult",
                "wagateway.web.Problem", // exception mappers' answer
                "wagateway.web.Problem$FieldError");
    }

    @Test
    void theScanFollowsClassLiteralsComponentsAndJacksonAnnotations() {
        JacksonBoundTypes fixtures = new JacksonBoundTypes(Path.of("target/test-classes"), "wagateway.deploy.fixture");
        assertThat(fixtures.find()).containsExactlyInAnyOrder(JsonFixtures.Payload.class, JsonFixtures.Item.class,
                JsonFixtures.Envelope.class);
        assertThat(BuildTimeInitHazards.find(fixtures)).containsExactly(JsonFixtures.class.getName());
    }

    @Test
    void classesWithPerProcessStaticStateAreInitialisedAtRunTime() throws IOException {
        Set<String> hazards = BuildTimeInitHazards.find(JacksonBoundTypes.ofMainClasses());
        assertThat(hazards).as("UUIDv7 generator with its SecureRandom").contains("wagateway.support.Ids");
        assertThat(runTimeInitialized(applicationProperties().getProperty("quarkus.native.additional-build-args", "")))
                .as("--initialize-at-run-time in quarkus.native.additional-build-args").containsAll(hazards);
    }

    @Test
    void flywayMigrationsArePackedIntoTheNativeImage() throws IOException {
        String includes = applicationProperties().getProperty("quarkus.native.resources.includes", "");
        List<Pattern> globs = Stream.of(includes.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(NativeImageReadinessTest::glob).toList();
        List<String> migrations;
        try (Stream<Path> files = Files.walk(MIGRATIONS)) {
            migrations = files.filter(Files::isRegularFile).map(p -> Path.of("src/main/resources").relativize(p).toString())
                    .toList();
        }
        assertThat(migrations).isNotEmpty()
                .allMatch(m -> globs.stream().anyMatch(g -> g.matcher(m).matches()),
                        "included by quarkus.native.resources.includes");
    }

    static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(APPLICATION_PROPERTIES)) {
            properties.load(reader);
        }
        return properties;
    }

    /**
     * Classes named by {@code --initialize-at-run-time=a,b} options, in native-image.args (space-separated)
     * or in quarkus.native.additional-build-args (comma-separated: one class per option there).
     */
    static Set<String> runTimeInitialized(String arguments) {
        Set<String> classes = new HashSet<>();
        String option = "--initialize-at-run-time=";
        for (String argument : arguments.split("\\s+|,(?=--)")) {
            if (argument.startsWith(option)) {
                for (String name : argument.substring(option.length()).replace("\\,", ",").split(",")) {
                    if (!name.isBlank()) {
                        classes.add(name.strip());
                    }
                }
            }
        }
        return classes;
    }

    /** Our classes annotated @RegisterForReflection, plus the targets such annotations name. */
    static Set<String> registeredForReflection(JacksonBoundTypes scan) {
        Set<String> registered = new HashSet<>();
        for (String name : scan.classNames()) {
            RegisterForReflection annotation = scan.load(name).getAnnotation(RegisterForReflection.class);
            if (annotation != null) {
                if (annotation.targets().length == 0 && annotation.classNames().length == 0) {
                    registered.add(name);
                }
                for (Class<?> target : annotation.targets()) {
                    registered.add(target.getName());
                }
                registered.addAll(List.of(annotation.classNames()));
            }
        }
        return registered;
    }

    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
