package wagateway.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import wagateway.config.GatewayConfig;
import wagateway.sandbox.SandboxConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md documents every {@code gateway.*} property {@link GatewayConfig} and the simulator's
 * {@link SandboxConfig} read (map keys written {@code <name>}), no other, each with the default the code has.
 */
class ConfigurationDocTest {

    static final Path DOC = Path.of("docs/configuration.md");

    /** A table row: the property in the first cell, then the default cell. */
    static final Pattern ROW = Pattern.compile("^\\| `(gateway\\.[^`]+)` \\| ([^|]*) \\|", Pattern.MULTILINE);

    @Test
    void everyGatewayPropertyIsDocumented() throws IOException {
        Map<String, String> documented = documented();
        List<String> missing = properties().keySet().stream().filter(p -> !documented.containsKey(p)).toList();
        assertThat(missing).as("gateway.* properties missing from %s", DOC).isEmpty();
    }

    @Test
    void everyDocumentedGatewayPropertyExists() throws IOException {
        List<String> unknown = documented().keySet().stream().filter(p -> !properties().containsKey(p)).toList();
        assertThat(unknown).as("rows of %s that GatewayConfig does not read", DOC).isEmpty();
    }

    @Test
    void documentedDefaultsAreTheCodes() throws IOException {
        Map<String, String> documented = documented();
        properties().forEach((property, value) -> {
            String cell = documented.get(property);
            if (cell != null) {
                // the default is the first code span of the cell; none (a dash) when the code has none
                Matcher code = Pattern.compile("^`([^`]*)`").matcher(cell.trim());
                assertThat(code.find() ? Optional.of(code.group(1)) : Optional.<String> empty()).as("default of %s", property)
                        .isEqualTo(value);
            }
        });
    }

    @Test
    void theWalkFindsNestedGroupsAndMapKeys() {
        assertThat(properties()).containsEntry("gateway.cloud-api.timeout", Optional.of("PT10S"))
                .containsEntry("gateway.senders.<name>.access-token", Optional.empty())
                .containsEntry("gateway.sandbox.faults.error-rates.<name>", Optional.empty())
                .containsEntry("gateway.opt-in.keywords", Optional.empty())
                .doesNotContainKey("gateway.sender-names"); // a default method, not a property
    }

    /** GatewayConfig's and SandboxConfig's properties, map keys written {@code <name>}, with their defaults. */
    private static Map<String, Optional<String>> properties() {
        Map<String, Optional<String>> properties = new LinkedHashMap<>();
        for (Class<?> mapping : List.of(GatewayConfig.class, SandboxConfig.class)) {
            ConfigPropertyNames.defaults(mapping).forEach((name, value) -> properties.put(name.replace("*", "<name>"),
                    value));
        }
        return properties;
    }

    private static Map<String, String> documented() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher row = ROW.matcher(Files.readString(DOC));
        while (row.find()) {
            rows.put(row.group(1), row.group(2));
        }
        assertThat(rows).as("gateway.* rows in %s", DOC).isNotEmpty();
        return rows;
    }
}
