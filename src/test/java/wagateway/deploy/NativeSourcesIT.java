package wagateway.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checks the native-image configuration Quarkus generates, without GraalVM: run after
 * {@code ./mvnw verify -Pnative-sources} (a sources-only native build), or after a real
 * {@code ./mvnw verify -Dnative}. Reads {@code native-image.args} and the runner jar's
 * {@code META-INF/native-image/*.json}. Skipped, saying so, when no such build output exists.
 */
class NativeSourcesIT {

    private static Path sources;
    private static String args;
    private static Map<String, JsonNode> reflection;
    private static JsonNode resources;

    @BeforeAll
    static void readBuildOutput() throws IOException {
        Optional<Path> found = nativeSources();
        assumeTrue(found.isPresent(), "No native-image sources in target/ (native-image.args): run "
                + "./mvnw verify -Pnative-sources (no GraalVM needed) or ./mvnw verify -Dnative first");
        sources = found.get();
        args = Files.readString(sources.resolve("native-image.args"));
        Path runner;
        try (Stream<Path> files = Files.list(sources)) {
            runner = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no *-runner.jar in " + sources));
        }
        ObjectMapper json = new ObjectMapper();
        reflection = new HashMap<>();
        try (JarFile jar = new JarFile(runner.toFile())) {
            for (JsonNode entry : json.readTree(read(jar, "META-INF/native-image/reflect-config.json"))) {
                reflection.put(entry.path("name").asText(), entry);
            }
            resources = json.readTree(read(jar, "META-INF/native-image/resource-config.json"));
        }
    }

    @Test
    void everyClassJacksonBindsIsRegisteredWithConstructorsMethodsAndFields() {
        JacksonBoundTypes scan = JacksonBoundTypes.ofMainClasses();
        Set<String> expected = new TreeSet<>(NativeImageReadinessTest.registeredForReflection(scan));
        scan.find().forEach(c -> expected.add(c.getName()));
        assertThat(expected).contains("wagateway.message.SendMessageRequest", "wagateway.web.Problem");
        List<String> missing = new ArrayList<>();
        for (String name : expected) {
            JsonNode entry = reflection.get(name);
            if (entry == null || !entry.path("allDeclaredConstructors").asBoolean()
                    || !entry.path("allDeclaredMethods").asBoolean() || !entry.path("allDeclaredFields").asBoolean()) {
                missing.add(name + (entry == null ? " (absent)" : " " + entry));
            }
        }
        assertThat(missing).as("not fully registered for reflection in %s", sources).isEmpty();
    }

    @Test
    void classesWithPerProcessStaticStateAreInitialisedAtRunTime() {
        Set<String> hazards = BuildTimeInitHazards.find(JacksonBoundTypes.ofMainClasses());
        assertThat(hazards).contains("wagateway.support.Ids");
        assertThat(NativeImageReadinessTest.runTimeInitialized(args)).as("--initialize-at-run-time in native-image.args")
                .containsAll(hazards);
        // Quarkus initialises everything else at build time; an explicit build-time list must not name them
        Set<String> buildTime = new TreeSet<>();
        for (String argument : args.split("\\s+")) {
            if (argument.startsWith("--initialize-at-build-time=")) {
                buildTime.addAll(List.of(argument.substring("--initialize-at-build-time=".length()).split(",")));
            }
        }
        assertThat(buildTime).as("explicitly initialised at build time").doesNotContainAnyElementsOf(hazards);
    }

    @Test
    void flywayMigrationsArePackedIntoTheImage() throws IOException {
        List<Pattern> includes = new ArrayList<>();
        for (JsonNode include : resources.path("resources").path("includes")) {
            if (include.has("pattern")) {
                includes.add(Pattern.compile(include.get("pattern").asText()));
            } else if (include.has("glob")) {
                includes.add(NativeImageReadinessTest.glob(include.get("glob").asText()));
            }
        }
        List<String> migrations;
        try (Stream<Path> files = Files.walk(NativeImageReadinessTest.MIGRATIONS)) {
            migrations = files.filter(Files::isRegularFile)
                    .map(p -> Path.of("src/main/resources").relativize(p).toString()).toList();
        }
        assertThat(migrations).isNotEmpty()
                .allMatch(m -> includes.stream().anyMatch(p -> p.matcher(m).matches()), "in resource-config.json");
    }

    @Test
    void everyResourceReadAtRunTimeIsPackedIntoTheImage() throws IOException {
        List<Pattern> includes = resourceIncludes();
        List<String> files = NativeResourcesTest.resourceFiles();
        List<String> readAtRunTime = new ArrayList<>();
        for (ResourceReads.Read read : NativeResourcesTest.runTimeReads()) {
            Pattern glob = NativeImageReadinessTest.glob(read.glob());
            files.stream().filter(f -> glob.matcher(f).matches()).forEach(readAtRunTime::add);
        }
        assertThat(readAtRunTime).isNotEmpty()
                .allMatch(f -> includes.stream().anyMatch(p -> p.matcher(f).matches()), "in resource-config.json");
    }

    private static List<Pattern> resourceIncludes() {
        List<Pattern> includes = new ArrayList<>();
        for (JsonNode include : resources.path("resources").path("includes")) {
            if (include.has("pattern")) {
                includes.add(Pattern.compile(include.get("pattern").asText()));
            } else if (include.has("glob")) {
                includes.add(NativeImageReadinessTest.glob(include.get("glob").asText()));
            }
        }
        return includes;
    }

    /** target/native-sources (sources-only build) or target/*-native-image-source-jar (full build), newest first. */
    private static Optional<Path> nativeSources() throws IOException {
        Path target = Path.of("target");
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(target)) {
            return dirs.filter(d -> d.getFileName().toString().equals("native-sources")
                    || d.getFileName().toString().endsWith("-native-image-source-jar"))
                    .filter(d -> Files.isRegularFile(d.resolve("native-image.args")))
                    .max(Comparator.comparing(d -> d.resolve("native-image.args").toFile().lastModified()));
        }
    }

    private static byte[] read(JarFile jar, String name) throws IOException {
        ZipEntry entry = jar.getEntry(name);
        assertThat(entry).as("%s in the runner jar", name).isNotNull();
        try (InputStream in = jar.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }
}
