package wagateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Dockerfiles under src/main/docker, read as text: enough for the few facts the tests compare. */
final class Dockerfiles {

    static final Path DIR = Path.of("src/main/docker");
    static final Path JVM = DIR.resolve("Dockerfile.jvm");
    static final Path NATIVE = DIR.resolve("Dockerfile.native-micro");
    static final List<Path> ALL = List.of(JVM, NATIVE);

    /** {@code docker build -f <file> -t <image>:<tag> .} as documented in a Dockerfile's header. */
    private static final Pattern BUILD = Pattern.compile("docker build -f (\\S+) -t ([^\\s:]+):(\\S+) \\.");

    private Dockerfiles() {
    }

    /** A documented image: name, tag, and the Dockerfile that builds it. */
    record BuiltImage(String name, String tag, Path dockerfile) {
    }

    static String text(Path dockerfile) {
        try {
            return Files.readString(dockerfile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BuiltImage builtImage(Path dockerfile) {
        Matcher m = BUILD.matcher(text(dockerfile));
        if (!m.find()) {
            throw new AssertionError(dockerfile + " does not document its `docker build -f ... -t name:tag .` command");
        }
        if (!Path.of(m.group(1)).equals(dockerfile)) {
            throw new AssertionError(dockerfile + " documents a build of another file: " + m.group(1));
        }
        return new BuiltImage(m.group(2), m.group(3), dockerfile);
    }

    static Map<String, BuiltImage> builtImages() {
        Map<String, BuiltImage> images = new LinkedHashMap<>();
        ALL.forEach(f -> {
            BuiltImage image = builtImage(f);
            images.put(image.name(), image);
        });
        return images;
    }

    /** Instruction lines (continuations joined, comments dropped). */
    static List<String> instructions(Path dockerfile) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text(dockerfile).split("\n")) {
            String trimmed = line.strip();
            if (current.length() == 0 && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                current.append(trimmed);
                out.add(current.toString());
                current.setLength(0);
            }
        }
        return out;
    }

    static List<String> instructions(Path dockerfile, String keyword) {
        return instructions(dockerfile).stream().filter(i -> i.startsWith(keyword + " ")).toList();
    }

    /** The source of each COPY that reads the build context (not {@code --from} another stage). */
    static List<String> copySources(Path dockerfile) {
        List<String> sources = new ArrayList<>();
        for (String copy : instructions(dockerfile, "COPY")) {
            if (copy.contains("--from=")) {
                continue;
            }
            List<String> words = new ArrayList<>(List.of(copy.split("\\s+")));
            words.remove(0);
            words.removeIf(w -> w.startsWith("--"));
            sources.addAll(words.subList(0, words.size() - 1)); // the last word is the destination
        }
        return sources;
    }
}
