package wagateway.schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The version a start demands ({@link RequiredSchema#VERSION}, a build-time constant) is the newest migration in
 * the sources: adding {@code V15__….sql} without raising it fails here, before a replica could accept a schema
 * that lacks it.
 */
class RequiredSchemaVersionTest {

    static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");
    static final Pattern VERSIONED = Pattern.compile("V(\\d+)__.+\\.sql");

    @Test
    void theRequiredVersionIsTheNewestMigration() throws IOException {
        List<String> files;
        try (Stream<Path> list = Files.list(MIGRATIONS)) {
            files = list.map(p -> p.getFileName().toString()).toList();
        }
        assertThat(files).as("migrations").isNotEmpty()
                .allSatisfy(name -> assertThat(name).as("a whole-number version: the start's query compares numbers")
                        .matches(VERSIONED));
        int newest = files.stream().map(VERSIONED::matcher).filter(Matcher::matches)
                .mapToInt(m -> Integer.parseInt(m.group(1))).max().orElseThrow();
        assertThat(RequiredSchema.VERSION).as("RequiredSchema.VERSION after adding a migration").isEqualTo(newest);
    }

    @Test
    void aSchemaOlderThanTheBuildIsRefusedWithOneLineThatSaysWhatToRun() {
        assertThat(RequiredSchema.refusal(RequiredSchema.VERSION)).isNull();
        assertThat(RequiredSchema.refusal(RequiredSchema.VERSION + 1)).as("a newer schema (rolling update)").isNull();
        assertThat(RequiredSchema.refusal(RequiredSchema.VERSION - 1))
                .startsWith("Schema: the database is at schema version " + (RequiredSchema.VERSION - 1))
                .contains("needs version " + RequiredSchema.VERSION, "gateway.migrate-and-exit=true",
                        "quarkus.flyway.migrate-at-start=true")
                .doesNotContain("\n");
        assertThat(RequiredSchema.refusal(0)).startsWith("Schema: the database has no gateway schema");
    }
}
