package wagateway.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfiles and {@code .dockerignore} agree: the build context holds exactly what the images copy,
 * images run as a numeric non-root user (so {@code runAsNonRoot} can verify it), and they carry the
 * project version.
 */
class ContainerImagesTest {

    /** Paths that must never reach the Docker daemon. */
    static final List<String> NOT_COPIED = List.of("pom.xml", ".git/HEAD", "src/main/java/wagateway/config/GatewayConfig.java",
            "src/main/resources/application.properties", "kubernetes/base/deployment.yaml",
            "target/classes/application.properties",
            "target/native-sources/native-image.args", "target/wagateway-1.0.0-SNAPSHOT.jar", "target/test-classes/x.class");

    @Test
    void dockerignoreAdmitsExactlyWhatTheDockerfilesCopy() throws IOException {
        List<String> patterns = dockerignore();
        List<String> copied = new ArrayList<>();
        for (Path dockerfile : Dockerfiles.ALL) {
            for (String source : Dockerfiles.copySources(dockerfile)) {
                copied.add(sample(source));
            }
        }
        assertThat(copied).hasSizeGreaterThanOrEqualTo(5);
        assertThat(copied).as("copied by a Dockerfile but kept out of the build context")
                .allMatch(path -> admitted(patterns, path));
        assertThat(NOT_COPIED).as("in the build context without being copied").noneMatch(path -> admitted(patterns, path));
        // tight: every exception in .dockerignore lets in something a Dockerfile copies
        for (String exception : patterns.stream().filter(p -> p.startsWith("!")).toList()) {
            List<String> without = new ArrayList<>(patterns);
            without.remove(exception);
            assertThat(copied).as(".dockerignore exception %s is not needed", exception)
                    .anyMatch(path -> !admitted(without, path));
        }
    }

    @Test
    void imagesRunAsANumericNonRootUser() {
        for (Path dockerfile : Dockerfiles.ALL) {
            List<String> users = Dockerfiles.instructions(dockerfile, "USER");
            assertThat(users).as("USER in %s", dockerfile).isNotEmpty();
            String user = users.get(users.size() - 1).substring("USER ".length()).strip();
            assertThat(user).as("final USER of %s", dockerfile).matches("[1-9][0-9]*");
        }
    }

    @Test
    void imagesCarryTheProjectVersionAndExposeTheHttpPort() {
        String version = Manifests.projectVersion();
        for (Path dockerfile : Dockerfiles.ALL) {
            assertThat(Dockerfiles.instructions(dockerfile, "ARG")).as("ARG VERSION of %s", dockerfile)
                    .contains("ARG VERSION=" + version);
            assertThat(Dockerfiles.instructions(dockerfile, "LABEL")).as("labels of %s", dockerfile)
                    .anyMatch(l -> l.contains("org.opencontainers.image.version=\"${VERSION}\""))
                    .anyMatch(l -> l.contains("org.opencontainers.image.title=\"wagateway\""));
            assertThat(Dockerfiles.instructions(dockerfile, "EXPOSE")).as("EXPOSE of %s", dockerfile)
                    .containsExactly("EXPOSE 8080");
            assertThat(Dockerfiles.builtImage(dockerfile).tag()).isEqualTo(version);
        }
    }

    @Test
    void jvmImageRunsTheJavaVersionWeCompileFor() throws IOException {
        Matcher release = Pattern.compile("<maven.compiler.release>(\\d+)</maven.compiler.release>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(release.find()).isTrue();
        assertThat(Dockerfiles.instructions(Dockerfiles.JVM, "FROM")).singleElement().asString()
                .contains("/openjdk-" + release.group(1) + "-runtime:");
        assertThat(Dockerfiles.copySources(Dockerfiles.JVM)).allMatch(s -> s.startsWith("target/quarkus-app/"));
        assertThat(Dockerfiles.copySources(Dockerfiles.NATIVE)).containsExactly("target/*-runner");
    }

    private static List<String> dockerignore() throws IOException {
        return Files.readAllLines(Path.of(".dockerignore")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    /** A concrete path a COPY source stands for: {@code target/*-runner} → {@code target/sample-runner}. */
    private static String sample(String source) {
        String path = source.replace("*", "sample");
        return path.endsWith("/") ? path + "main/sample.jar" : path;
    }

    /**
     * Docker's rule: the last pattern that matches the path or one of its parent directories decides;
     * {@code !} re-admits; {@code *} stays within one path segment.
     */
    static boolean admitted(List<String> patterns, String path) {
        boolean excluded = false;
        for (String pattern : patterns) {
            boolean exception = pattern.startsWith("!");
            Pattern glob = glob(exception ? pattern.substring(1) : pattern);
            if (matchesSelfOrParent(glob, path)) {
                excluded = !exception;
            }
        }
        return !excluded;
    }

    private static boolean matchesSelfOrParent(Pattern glob, String path) {
        String current = path;
        while (!current.isEmpty()) {
            if (glob.matcher(current).matches()) {
                return true;
            }
            int slash = current.lastIndexOf('/');
            current = slash < 0 ? "" : current.substring(0, slash);
        }
        return false;
    }

    private static Pattern glob(String pattern) {
        String cleaned = pattern.startsWith("/") ? pattern.substring(1) : pattern;
        cleaned = cleaned.endsWith("/") ? cleaned.substring(0, cleaned.length() - 1) : cleaned;
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < cleaned.length(); i++) {
            char c = cleaned.charAt(i);
            if (c == '*' && i + 1 < cleaned.length() && cleaned.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
