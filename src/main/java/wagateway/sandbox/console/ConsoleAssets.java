package wagateway.sandbox.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;

/**
 * The console's page, script and style sheet, read once from the classpath ({@code sandbox-console/}).
 * They are served by {@link ConsoleResource} rather than as static resources so that the sandbox gate
 * hides them with the rest of {@code /sandbox} when the sandbox is off.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class ConsoleAssets {

    /** A file and its media type. */
    public record Asset(byte[] bytes, String mediaType) {
    }

    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html;charset=UTF-8",
            "console.js", "text/javascript;charset=UTF-8",
            "console.css", "text/css;charset=UTF-8");

    private final Map<String, Asset> assets;

    ConsoleAssets() {
        HashMap<String, Asset> loaded = new HashMap<>();
        FILES.forEach((name, type) -> loaded.put(name, new Asset(read(name), type)));
        this.assets = Map.copyOf(loaded);
    }

    public Optional<Asset> get(String name) {
        return Optional.ofNullable(assets.get(name));
    }

    private static byte[] read(String name) {
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream("sandbox-console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("Missing console asset sandbox-console/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
