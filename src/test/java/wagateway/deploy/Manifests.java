package wagateway.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The YAML under {@code kubernetes/}, parsed with SnakeYAML (on the classpath through Quarkus's OpenAPI
 * support; not declared in the pom, because a test-scoped declaration would take it off the runtime
 * classpath). Tests run from the project directory, so paths are relative to it.
 */
final class Manifests {

    static final Path ROOT = Path.of("kubernetes");
    static final Path BASE = ROOT.resolve("base");
    static final Path OVERLAYS = ROOT.resolve("overlays");
    static final String PLACEHOLDER = "REPLACE_ME";

    private Manifests() {
    }

    /** One YAML document and the file it came from. */
    record Doc(Path file, Object body) {

        String kind() {
            return Yaml.string(body, "kind");
        }

        String name() {
            return Yaml.string(body, "metadata", "name");
        }

        /** A Kubernetes object (not a kustomization, not a patch). */
        boolean isResource() {
            return body instanceof Map<?, ?> m && m.containsKey("apiVersion") && m.containsKey("kind")
                    && !m.containsKey("$patch") && !"Kustomization".equals(m.get("kind")) && name() != null
                    && !isPatchFile();
        }

        private boolean isPatchFile() {
            // strategic-merge patches are listed under `patches:` of a kustomization; they are partial objects
            return Manifests.patchFiles().contains(file.normalize());
        }

        @Override
        public String toString() {
            return file + " " + kind() + "/" + name();
        }
    }

    static List<Path> yamlFiles() {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Doc> documents(Path file) {
        List<Doc> docs = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object body : new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions())).loadAll(reader)) {
                if (body != null) {
                    docs.add(new Doc(file, body));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    /** Parsed once per test JVM: the files do not change while tests run. */
    private static List<Doc> all;
    private static List<Path> patchFiles;

    static synchronized List<Doc> all() {
        if (all == null) {
            all = yamlFiles().stream().flatMap(f -> documents(f).stream()).toList();
        }
        return all;
    }

    /** Every Kubernetes object shipped: base, overlays and the Secret template. */
    static List<Doc> resources() {
        return all().stream().filter(Doc::isResource).toList();
    }

    static List<Doc> resources(String kind) {
        return resources().stream().filter(d -> kind.equals(d.kind())).toList();
    }

    static Doc resource(String kind, String name) {
        return resources().stream().filter(d -> kind.equals(d.kind()) && name.equals(d.name())).findFirst()
                .orElseThrow(() -> new AssertionError("No " + kind + "/" + name + " under " + ROOT));
    }

    static List<Path> kustomizations() {
        return yamlFiles().stream().filter(p -> p.getFileName().toString().equals("kustomization.yaml")).toList();
    }

    /** Files named in some kustomization's {@code patches:}, normalised. */
    static synchronized List<Path> patchFiles() {
        if (patchFiles != null) {
            return patchFiles;
        }
        List<Path> patches = new ArrayList<>();
        for (Path kustomization : kustomizations()) {
            Object body = documents(kustomization).get(0).body();
            for (Object patch : Yaml.list(body, "patches")) {
                String path = Yaml.string(patch, "path");
                if (path != null) {
                    patches.add(kustomization.getParent().resolve(path).normalize());
                }
            }
        }
        patchFiles = List.copyOf(patches);
        return patchFiles;
    }

    /** The pod template's containers of a Deployment or Knative Service. */
    static List<Object> containers(Doc workload) {
        return Yaml.list(workload.body(), "spec", "template", "spec", "containers");
    }

    /** Deployments and Knative Services: everything that runs the gateway's image. */
    static List<Doc> workloads() {
        return resources().stream().filter(d -> "Deployment".equals(d.kind())
                || ("Service".equals(d.kind()) && Yaml.string(d.body(), "apiVersion").startsWith("serving.knative.dev/")))
                .toList();
    }

    /** CronJobs: scheduled runs of the gateway's image (the drain-cronjob overlay). */
    static List<Doc> cronJobs() {
        return resources("CronJob");
    }

    /** The pod template's spec of a CronJob's jobs. */
    static Object jobPodSpec(Doc cronJob) {
        return Yaml.at(cronJob.body(), "spec", "jobTemplate", "spec", "template", "spec");
    }

    static boolean isKnative(Doc doc) {
        return Yaml.string(doc.body(), "apiVersion").startsWith("serving.knative.dev/");
    }

    /** The project version from pom.xml: labels and image tags must carry it. */
    static String projectVersion() {
        try {
            var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
            var children = document.getDocumentElement().getChildNodes();
            for (int i = 0; i < children.getLength(); i++) {
                if ("version".equals(children.item(i).getNodeName())) {
                    return children.item(i).getTextContent().trim();
                }
            }
            throw new AssertionError("pom.xml has no project version");
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read pom.xml", e);
        }
    }

    /** Navigation in parsed YAML: missing steps give null / empty instead of exceptions. */
    static final class Yaml {

        private Yaml() {
        }

        static Object at(Object node, String... path) {
            Object current = node;
            for (String step : path) {
                if (!(current instanceof Map<?, ?> map)) {
                    return null;
                }
                current = map.get(step);
            }
            return current;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> map(Object node, String... path) {
            Object value = at(node, path);
            return value instanceof Map<?, ?> ? (Map<String, Object>) value : Map.of();
        }

        @SuppressWarnings("unchecked")
        static List<Object> list(Object node, String... path) {
            Object value = at(node, path);
            return value instanceof List<?> ? (List<Object>) value : List.of();
        }

        static String string(Object node, String... path) {
            Object value = at(node, path);
            return value == null ? null : value.toString();
        }
    }
}
