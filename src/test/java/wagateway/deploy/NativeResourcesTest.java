package wagateway.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import wagateway.deploy.ResourceReads.Read;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A native image holds only the classpath resources it was told to keep: every one the production build reads at
 * run time must be in {@code quarkus.native.resources.includes}. Those are the resources our production classes read
 * ({@link ResourceReads}) and Flyway's migrations ({@code quarkus.flyway.locations}). Every file of
 * src/main/resources must be one of them, or handled by Quarkus at build time, or the sandbox's, so that a new file
 * cannot slip by unclassified. {@link NativeSourcesIT} then finds the same files in the generated resource-config.json.
 */
class NativeResourcesTest {

    static final Path RESOURCES = Path.of("src/main/resources");
    static final Path MAIN_CLASSES = Path.of("target/classes");
    /**
     * Not in the production build: its beans are {@code @IfBuildProfile(anyOf = {"dev", "test", "sandbox"})} and no
     * production package depends on it (PackageDependenciesTest).
     */
    static final String SANDBOX = "wagateway.sandbox";

    /** Files Quarkus handles itself: read at build time, or registered in the image by Quarkus. */
    static final Map<String, String> HANDLED_BY_QUARKUS = Map.of(
            "application.properties", "the configuration: recorded at build time, registered in the image by Quarkus",
            "META-INF/openapi.yaml", "merged into the OpenAPI document at build time (quarkus-smallrye-openapi)",
            "META-INF/services/**", "service providers (ConfigSourceFactory): discovered and registered at build time",
            "META-INF/resources/**", "static web resources: served and registered in the image by Quarkus (none today)");

    @Test
    void everyResourceReadAtRunTimeIsInTheNativeIncludes() throws IOException {
        List<Read> reads = runTimeReads();
        assertThat(reads).extracting(Read::glob).as("Flyway's migrations at least").contains("db/migration/**");
        assertThat(missingFromIncludes(reads, includes(), resourceFiles()))
                .as("add them to quarkus.native.resources.includes (application.properties)").isEmpty();
    }

    @Test
    void everyFileInSrcMainResourcesIsAccountedFor() throws IOException {
        List<Pattern> accounted = new ArrayList<>();
        runTimeReads().forEach(r -> accounted.add(NativeImageReadinessTest.glob(r.glob())));
        HANDLED_BY_QUARKUS.keySet().forEach(g -> accounted.add(NativeImageReadinessTest.glob(g)));
        sandboxReads().forEach(r -> accounted.add(NativeImageReadinessTest.glob(r.glob())));
        List<String> unaccounted = resourceFiles().stream()
                .filter(f -> accounted.stream().noneMatch(p -> p.matcher(f).matches())).toList();
        assertThat(unaccounted).as("read at run time by code ResourceReads cannot see (add it to the includes and to "
                + "runTimeReads), handled by Quarkus (HANDLED_BY_QUARKUS), or the sandbox's?").isEmpty();
    }

    @Test
    void theSandboxConsoleIsReadOnlyBySandboxCode() {
        // the scan finds a real read in the main classes: the console's files, outside the production build
        assertThat(sandboxReads()).extracting(Read::glob).contains("sandbox-console/**");
        assertThat(productionReads()).extracting(Read::glob).doesNotContain("sandbox-console/**");
    }

    @Test
    void theScanFindsConstantConcatenatedAndComputedPaths() {
        List<Read> reads = ResourceReads.find(Path.of("target/test-classes"), "wagateway.deploy.resourcefixture");
        assertThat(reads).extracting(Read::glob).containsExactlyInAnyOrder("db/migration/V1__schema.sql",
                "mail-templates/**.html", "META-INF/wagateway-banner.txt",
                "wagateway/deploy/resourcefixture/defaults.properties", null);
    }

    @Test
    void aReadMissingFromTheIncludesIsReported() throws IOException {
        List<Read> reads = ResourceReads.find(Path.of("target/test-classes"), "wagateway.deploy.resourcefixture");
        List<String> files = resourceFiles();
        assertThat(missingFromIncludes(reads, List.of("db/migration/**"), files)).hasSize(4)
                .anyMatch(m -> m.startsWith("mail-templates/**.html"))
                .anyMatch(m -> m.startsWith("META-INF/wagateway-banner.txt"))
                .anyMatch(m -> m.contains("not a constant"));
        assertThat(missingFromIncludes(reads, List.of("db/migration/**", "mail-templates/**",
                "META-INF/wagateway-banner.txt", "wagateway/deploy/resourcefixture/*.properties"), files))
                .singleElement().asString().contains("not a constant");
        // and the production reads against includes without the migrations
        assertThat(missingFromIncludes(runTimeReads(), List.of(), files)).anyMatch(m -> m.startsWith("db/migration/**"));
    }

    /** What the production build reads from the classpath at run time. */
    static List<Read> runTimeReads() throws IOException {
        List<Read> reads = new ArrayList<>(productionReads());
        String locations = NativeImageReadinessTest.applicationProperties().getProperty("quarkus.flyway.locations",
                "db/migration");
        for (String location : locations.split(",")) {
            String l = location.strip();
            if (!l.startsWith("filesystem:")) {
                reads.add(new Read("Flyway (quarkus.flyway.locations)", l.replaceFirst("^classpath:", "") + "/**"));
            }
        }
        return reads;
    }

    static List<Read> productionReads() {
        return ResourceReads.find(MAIN_CLASSES, "wagateway").stream().filter(r -> !r.site().startsWith(SANDBOX + "."))
                .toList();
    }

    static List<Read> sandboxReads() {
        return ResourceReads.find(MAIN_CLASSES, SANDBOX);
    }

    /**
     * The reads the includes do not cover, one line each: a read is covered when an include matches its path, or
     * when it matches files we ship and an include matches each of them.
     */
    static List<String> missingFromIncludes(List<Read> reads, List<String> includes, List<String> files) {
        List<Pattern> patterns = includes.stream().map(NativeImageReadinessTest::glob).toList();
        List<String> missing = new ArrayList<>();
        for (Read read : reads) {
            if (read.glob() == null) {
                missing.add(read.site() + " reads a resource whose path is not a constant: name it with a literal");
                continue;
            }
            Pattern wanted = NativeImageReadinessTest.glob(read.glob());
            List<String> matching = files.stream().filter(f -> wanted.matcher(f).matches()).toList();
            boolean coveredAsWritten = patterns.stream().anyMatch(p -> p.matcher(read.glob()).matches());
            boolean everyFileCovered = !matching.isEmpty()
                    && matching.stream().allMatch(f -> patterns.stream().anyMatch(p -> p.matcher(f).matches()));
            if (!coveredAsWritten && !everyFileCovered) {
                missing.add(read.glob() + " (read by " + read.site() + ")");
            }
        }
        return missing;
    }

    static List<String> includes() throws IOException {
        String includes = NativeImageReadinessTest.applicationProperties().getProperty("quarkus.native.resources.includes",
                "");
        return Stream.of(includes.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Every file of src/main/resources, as its classpath path. */
    static List<String> resourceFiles() throws IOException {
        try (Stream<Path> files = Files.walk(RESOURCES)) {
            return files.filter(Files::isRegularFile).map(p -> RESOURCES.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }
}
