package wagateway.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import wagateway.config.GatewayConfig;
import wagateway.deploy.Manifests.Doc;
import wagateway.deploy.Manifests.Yaml;

/**
 * What the manifests give the upload spool: each workload's {@code /tmp} emptyDir {@code sizeLimit}, the uploads it
 * takes at once ({@code gateway.media.max-concurrent-uploads} as its ConfigMap and env set it, else the default)
 * and the largest spooled upload ({@code quarkus.http.limits.max-body-size} in application.properties). Shared by
 * the manifests check and the 100 MiB upload test, which caps its spool directory to one upload's share.
 */
public final class UploadSpoolBudget {

    /** /tmp room for what is not an upload: Vert.x's file cache, the JVM's perf data, Netty's native libraries. */
    public static final long TMP_RESERVE = 32L * 1024 * 1024;

    /** One workload's /tmp and what it must hold. */
    public record Workload(String name, long tmpSizeLimit, int concurrentUploads) {

        /** The room one upload gets on this workload's /tmp after the reserve. */
        public long perUploadShare() {
            return concurrentUploads == 0 ? 0 : (tmpSizeLimit - TMP_RESERVE) / concurrentUploads;
        }
    }

    private UploadSpoolBudget() {
    }

    public static List<Workload> workloads() {
        List<Workload> out = new ArrayList<>();
        for (Doc workload : Manifests.workloads()) {
            Object container = Manifests.containers(workload).get(0);
            String tmpVolume = Yaml.list(container, "volumeMounts").stream()
                    .filter(m -> "/tmp".equals(Yaml.string(m, "mountPath"))).map(m -> Yaml.string(m, "name"))
                    .findFirst().orElseThrow(() -> new AssertionError("no /tmp mount in " + workload));
            Object volume = Yaml.list(workload.body(), "spec", "template", "spec", "volumes").stream()
                    .filter(v -> tmpVolume.equals(Yaml.string(v, "name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no volume " + tmpVolume + " in " + workload));
            String sizeLimit = Yaml.string(volume, "emptyDir", "sizeLimit");
            if (sizeLimit == null) {
                throw new AssertionError("/tmp of " + workload + " has no sizeLimit");
            }
            Map<String, String> env = new HashMap<>(stringMap(Yaml.map(
                    Manifests.resource("ConfigMap", KubernetesManifestsTest.CONFIG_MAP).body(), "data")));
            env.putAll(stringMap(Yaml.map(Manifests.resource("Secret", KubernetesManifestsTest.SECRET).body(), "stringData")));
            env.putAll(KubernetesManifestsTest.env(container));
            GatewayConfig config = new SmallRyeConfigBuilder().withSources(new EnvConfigSource(env, 300))
                    .withMapping(GatewayConfig.class).build()
                    .getConfigMapping(GatewayConfig.class);
            out.add(new Workload(workload.toString(), KubernetesManifestsTest.bytes(sizeLimit).longValueExact(),
                    config.media().maxConcurrentUploads()));
        }
        return out;
    }

    /** The smallest share one upload gets on any workload that takes uploads. */
    public static long perUploadShare() {
        return workloads().stream().filter(w -> w.concurrentUploads() > 0).mapToLong(Workload::perUploadShare).min()
                .orElseThrow();
    }

    /** {@code quarkus.http.limits.max-body-size}: the most one upload can spool. */
    public static long maxBodyBytes() {
        return new MemorySizeConverter().convert(applicationProperties().getProperty("quarkus.http.limits.max-body-size"))
                .asLongValue();
    }

    public static Properties applicationProperties() {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static Map<String, String> stringMap(Map<String, Object> raw) {
        Map<String, String> out = new HashMap<>();
        raw.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }
}
