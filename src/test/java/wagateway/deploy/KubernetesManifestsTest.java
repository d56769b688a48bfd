package wagateway.deploy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import wagateway.cloudapi.content.MediaLimits;
import wagateway.config.GatewayConfig;
import wagateway.config.GatewayConfigValidator;
import wagateway.deploy.Manifests.Doc;
import wagateway.deploy.Manifests.Yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The invariants of {@code kubernetes/} that a reviewer would otherwise check by eye: files that kustomize
 * needs exist, labels and images agree, every container is sized and hardened, probes and shutdown fit
 * the application, and every environment variable is a property the gateway reads.
 */
class KubernetesManifestsTest {

    static final String CONFIG_MAP = "wagateway-config";
    static final String SECRET = "wagateway-secrets";
    static final Path SECRET_TEMPLATE = Manifests.BASE.resolve("secret.template.yaml");

    /** quarkus.* properties the manifests may set; each is a documented Quarkus property. */
    static final Set<String> QUARKUS_PROPERTIES = Set.of(
            "quarkus.datasource.reactive.url",
            "quarkus.datasource.username",
            "quarkus.datasource.password",
            "quarkus.shutdown.timeout",
            "quarkus.flyway.migrate-at-start",
            "quarkus.log.console.json.enabled");

    /** Key names that hold credentials: they belong in the Secret, never in the ConfigMap. */
    static final Pattern SECRET_NAME = Pattern.compile(".*(TOKEN|SECRET|PASSWORD|API_KEYS).*");

    final String version = Manifests.projectVersion();

    @Test
    void everyYamlFileParses() {
        assertThat(Manifests.yamlFiles()).hasSizeGreaterThanOrEqualTo(10);
        for (Path file : Manifests.yamlFiles()) {
            assertThat(Manifests.documents(file)).as("documents in %s", file).isNotEmpty();
        }
    }

    @Test
    void kustomizationsReferenceExistingFilesAndNothingIsLeftOut() {
        assertThat(Manifests.kustomizations()).contains(Manifests.BASE.resolve("kustomization.yaml"),
                Manifests.OVERLAYS.resolve("jvm/kustomization.yaml"), Manifests.OVERLAYS.resolve("native/kustomization.yaml"),
                Manifests.OVERLAYS.resolve("knative/kustomization.yaml"),
                Manifests.OVERLAYS.resolve("drain-cronjob/kustomization.yaml"));
        for (Path kustomization : Manifests.kustomizations()) {
            Path dir = kustomization.getParent();
            Object body = Manifests.documents(kustomization).get(0).body();
            List<String> referenced = new ArrayList<>();
            Yaml.list(body, "resources").forEach(r -> referenced.add(r.toString()));
            Yaml.list(body, "components").forEach(r -> referenced.add(r.toString()));
            Yaml.list(body, "patches").forEach(p -> {
                if (Yaml.string(p, "path") != null) {
                    referenced.add(Yaml.string(p, "path"));
                }
            });
            assertThat(Yaml.list(body, "patchesStrategicMerge"))
                    .as("%s: use patches:, not the deprecated patchesStrategicMerge",
                            kustomization)
                    .isEmpty();
            assertThat(referenced).as("%s references", kustomization).isNotEmpty();
            for (String reference : referenced) {
                Path target = dir.resolve(reference).normalize();
                if (Files.isDirectory(target)) {
                    assertThat(target.resolve("kustomization.yaml")).as("%s references directory %s", kustomization, reference)
                            .exists();
                } else {
                    assertThat(target).as("%s references %s", kustomization, reference).isRegularFile();
                }
            }
            // a manifest beside a kustomization that it does not list would silently never be applied
            try (Stream<Path> siblings = Files.list(dir)) {
                List<String> orphans = siblings.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml") && !n.endsWith(".template.yaml"))
                        .filter(n -> !referenced.contains(n)).toList();
                assertThat(orphans).as("files in %s not listed in its kustomization.yaml", dir).isEmpty();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void everyOverlayBuildsOnTheBase() {
        for (String overlay : List.of("jvm", "native", "knative", "drain-cronjob")) {
            Object body = Manifests.documents(Manifests.OVERLAYS.resolve(overlay).resolve("kustomization.yaml")).get(0).body();
            assertThat(Yaml.list(body, "resources")).as("overlay %s", overlay).contains("../../base");
        }
    }

    @Test
    void imagesAreTheOnesTheDockerfilesBuildTaggedWithTheProjectVersion() {
        // manifests name the image `wagateway`; only the overlays decide which image that is
        for (Doc workload : Manifests.workloads()) {
            for (Object container : Manifests.containers(workload)) {
                assertThat(Yaml.string(container, "image")).as("image of %s", workload).isEqualTo("wagateway");
            }
        }
        var built = Dockerfiles.builtImages();
        Map<String, Path> expectedDockerfile = Map.of("jvm", Dockerfiles.JVM, "native", Dockerfiles.NATIVE,
                "knative", Dockerfiles.NATIVE, "drain-cronjob", Dockerfiles.JVM);
        expectedDockerfile.forEach((overlay, dockerfile) -> {
            Object body = Manifests.documents(Manifests.OVERLAYS.resolve(overlay).resolve("kustomization.yaml")).get(0).body();
            List<Object> images = Yaml.list(body, "images");
            assertThat(images).as("images of overlay %s", overlay).hasSize(1);
            Object image = images.get(0);
            assertThat(Yaml.string(image, "name")).isEqualTo("wagateway");
            String newName = Yaml.string(image, "newName");
            assertThat(built).as("overlay %s uses an image no Dockerfile documents", overlay).containsKey(newName);
            assertThat(built.get(newName).dockerfile()).as("overlay %s image", overlay).isEqualTo(dockerfile);
            assertThat(Yaml.string(image, "newTag")).as("overlay %s tag", overlay).isEqualTo(version);
        });
        built.values().forEach(image -> assertThat(image.tag()).as("tag documented in %s", image.dockerfile())
                .isEqualTo(version));
    }

    @Test
    void labelsAreConsistentEverywhere() {
        Map<String, String> common = Map.of("app", "wagateway", "app.kubernetes.io/name", "wagateway",
                "app.kubernetes.io/part-of", "wagateway", "app.kubernetes.io/version", version);
        assertThat(Manifests.resources()).hasSizeGreaterThanOrEqualTo(10);
        for (Doc resource : Manifests.resources()) {
            assertThat(labels(Yaml.map(resource.body(), "metadata", "labels"))).as("labels of %s", resource)
                    .containsAllEntriesOf(common);
        }
        for (Doc workload : Manifests.workloads()) {
            Map<String, String> podLabels = podLabels(workload);
            assertThat(podLabels).as("pod labels of %s", workload).containsAllEntriesOf(common);
            assertThat(Yaml.map(workload.body(), "metadata", "labels")).as("%s labels its pods as itself", workload)
                    .containsAllEntriesOf(Yaml.map(workload.body(), "spec", "template", "metadata", "labels"));
            if (!Manifests.isKnative(workload)) {
                Map<String, String> selector = labels(Yaml.map(workload.body(), "spec", "selector", "matchLabels"));
                assertThat(selector).as("selector of %s", workload).isNotEmpty().doesNotContainKey("app.kubernetes.io/version");
                assertThat(podLabels).as("%s selects its own pods", workload).containsAllEntriesOf(selector);
                for (Object spread : Yaml.list(workload.body(), "spec", "template", "spec", "topologySpreadConstraints")) {
                    assertThat(podLabels).containsAllEntriesOf(labels(Yaml.map(spread, "labelSelector", "matchLabels")));
                }
            }
        }
    }

    @Test
    void serviceDisruptionBudgetAutoscalerAndNetworkPolicyTargetTheGatewayPods() {
        Doc deployment = Manifests.resource("Deployment", "wagateway");
        Map<String, String> podLabels = podLabels(deployment);
        Doc service = coreServices().get(0);
        Map<String, String> serviceSelector = labels(Yaml.map(service.body(), "spec", "selector"));
        assertThat(serviceSelector).isNotEmpty().doesNotContainKey("app.kubernetes.io/version");
        assertThat(podLabels).as("Service selector").containsAllEntriesOf(serviceSelector);
        Map<String, String> pdbSelector = labels(Yaml.map(Manifests.resource("PodDisruptionBudget", "wagateway").body(),
                "spec", "selector", "matchLabels"));
        assertThat(pdbSelector).isNotEmpty();
        assertThat(podLabels).as("PodDisruptionBudget selector").containsAllEntriesOf(pdbSelector);
        Doc hpa = Manifests.resource("HorizontalPodAutoscaler", "wagateway");
        assertThat(Yaml.string(hpa.body(), "spec", "scaleTargetRef", "kind")).isEqualTo("Deployment");
        assertThat(Yaml.string(hpa.body(), "spec", "scaleTargetRef", "name")).isEqualTo(deployment.name());
        assertThat(((Number) Yaml.at(hpa.body(), "spec", "minReplicas")).intValue()).as("HA needs two replicas")
                .isGreaterThanOrEqualTo(2);
        assertThat(Yaml.at(deployment.body(), "spec", "replicas")).as("the HPA owns the replica count").isNull();
        assertThat(Yaml.string(Manifests.resource("PodDisruptionBudget", "wagateway").body(), "spec", "minAvailable"))
                .isEqualTo("1");
        Map<String, String> policySelector = labels(Yaml.map(Manifests.resource("NetworkPolicy", "wagateway").body(),
                "spec", "podSelector", "matchLabels"));
        assertThat(policySelector).isNotEmpty();
        for (Doc workload : Manifests.workloads()) {
            assertThat(podLabels(workload)).as("NetworkPolicy covers %s", workload).containsAllEntriesOf(policySelector);
        }
    }

    @Test
    void networkPolicyLetsInOnlyLabelledNamespacesAndOutOnlyDnsPostgresAndHttps() {
        Object spec = Manifests.resource("NetworkPolicy", "wagateway").body();
        assertThat(Yaml.list(spec, "spec", "policyTypes")).containsExactlyInAnyOrder("Ingress", "Egress");
        List<Object> ingress = Yaml.list(spec, "spec", "ingress");
        assertThat(ingress).hasSize(2);
        for (Object rule : ingress) {
            assertThat(Yaml.list(rule, "from")).isNotEmpty()
                    .allSatisfy(from -> assertThat(Yaml.map(from, "namespaceSelector", "matchLabels")).isNotEmpty());
        }
        assertThat(Yaml.map(Yaml.list(ingress.get(0), "from").get(0), "namespaceSelector", "matchLabels"))
                .containsOnlyKeys("wagateway.io/access");
        assertThat(ports(Yaml.list(ingress.get(0), "ports"))).containsExactly("TCP/8080");
        // the management port (metrics, health, OpenAPI) only from the monitoring namespaces
        assertThat(Yaml.list(ingress.get(1), "from")).singleElement()
                .satisfies(from -> assertThat(Yaml.map(from, "namespaceSelector", "matchLabels"))
                        .containsExactly(Map.entry("wagateway.io/monitoring", "true")));
        assertThat(ports(Yaml.list(ingress.get(1), "ports"))).containsExactly("TCP/9000");
        List<String> egress = new ArrayList<>();
        for (Object rule : Yaml.list(spec, "spec", "egress")) {
            egress.addAll(ports(Yaml.list(rule, "ports")));
        }
        assertThat(egress).containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/5432", "TCP/443");
    }

    @Test
    void probesUseTheQuarkusHealthEndpointsOnADeclaredPort() {
        assertThat(Manifests.workloads()).hasSizeGreaterThanOrEqualTo(3);
        for (Doc workload : Manifests.workloads()) {
            for (Object container : Manifests.containers(workload)) {
                assertThat(Yaml.string(container, "livenessProbe", "httpGet", "path")).as("liveness of %s", workload)
                        .isEqualTo("/q/health/live");
                assertThat(Yaml.string(container, "readinessProbe", "httpGet", "path")).as("readiness of %s", workload)
                        .isEqualTo("/q/health/ready");
                if (!Manifests.isKnative(workload)) {
                    assertThat(Yaml.string(container, "startupProbe", "httpGet", "path")).as("startup of %s", workload)
                            .isEqualTo("/q/health/started");
                }
                for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                    String port = Yaml.string(container, probe, "httpGet", "port");
                    if (Manifests.isKnative(workload)) {
                        assertThat(port).as("Knative rejects probe ports (%s of %s)", probe, workload).isNull();
                    } else {
                        // health is served on the management interface only
                        assertThat(port).as("%s port of %s", probe, workload).isEqualTo("management");
                    }
                }
                // Knative probes the container port: the gateway must answer health there
                assertThat(env(container).get("GATEWAY_OPERATIONS_ON_MAIN_PORT")).as("health on the main port in %s", workload)
                        .isEqualTo(Manifests.isKnative(workload) ? "true" : null);
            }
        }
    }

    @Test
    void everyContainerIsSizedAndHardened() {
        for (Doc workload : Manifests.workloads()) {
            Object podSpec = Yaml.at(workload.body(), "spec", "template", "spec");
            for (Object container : Manifests.containers(workload)) {
                String what = Yaml.string(container, "name") + " in " + workload;
                assertResources(Yaml.map(container, "resources"), what);
                Object security = Yaml.at(container, "securityContext");
                assertThat(Yaml.at(security, "runAsNonRoot")).as("runAsNonRoot of %s", what).isEqualTo(true);
                assertThat(Yaml.at(security, "allowPrivilegeEscalation")).as("allowPrivilegeEscalation of %s", what)
                        .isEqualTo(false);
                assertThat(Yaml.at(security, "readOnlyRootFilesystem")).as("readOnlyRootFilesystem of %s", what)
                        .isEqualTo(true);
                assertThat(Yaml.at(security, "privileged")).as("privileged of %s", what).isNotEqualTo(true);
                assertThat(Yaml.list(security, "capabilities", "drop")).as("dropped capabilities of %s", what).contains("ALL");
                assertThat(Yaml.list(security, "capabilities", "add")).as("added capabilities of %s", what).isEmpty();
                String seccomp = Objects.requireNonNullElse(Yaml.string(security, "seccompProfile", "type"),
                        Objects.requireNonNullElse(Yaml.string(podSpec, "securityContext", "seccompProfile", "type"), "none"));
                assertThat(seccomp).as("seccomp profile of %s", what).isEqualTo("RuntimeDefault");
                // a read-only root needs a writable /tmp (Vert.x file cache, JVM perf data)
                String tmpVolume = Yaml.list(container, "volumeMounts").stream()
                        .filter(m -> "/tmp".equals(Yaml.string(m, "mountPath"))).map(m -> Yaml.string(m, "name"))
                        .findFirst().orElseThrow(() -> new AssertionError("no /tmp mount in " + what));
                assertThat(Yaml.list(podSpec, "volumes")).as("/tmp volume of %s", what).anySatisfy(v -> {
                    assertThat(Yaml.string(v, "name")).isEqualTo(tmpVolume);
                    assertThat(Yaml.at(v, "emptyDir")).isNotNull();
                });
            }
            if (!Manifests.isKnative(workload)) {
                assertThat(Yaml.at(podSpec, "automountServiceAccountToken")).as("token mount of %s", workload).isEqualTo(false);
                assertThat(Yaml.at(podSpec, "securityContext", "runAsNonRoot")).as("pod runAsNonRoot of %s", workload)
                        .isEqualTo(true);
            }
            assertThat(Yaml.string(podSpec, "serviceAccountName")).as("service account of %s", workload).isEqualTo("wagateway");
        }
        assertThat(Yaml.at(Manifests.resource("ServiceAccount", "wagateway").body(), "automountServiceAccountToken"))
                .isEqualTo(false);
        // overlays that resize containers must keep requests within limits too
        for (Path patch : Manifests.patchFiles()) {
            for (Doc doc : Manifests.documents(patch)) {
                for (Object container : Manifests.containers(doc)) {
                    if (!Yaml.map(container, "resources").isEmpty()) {
                        assertResources(Yaml.map(container, "resources"), "patch " + patch);
                    }
                }
            }
        }
    }

    @Test
    void jvmSizingFitsTheMeasuredFootprintAndNativeIsSmaller() {
        Object jvm = Yaml.map(Manifests.containers(Manifests.resource("Deployment", "wagateway")).get(0), "resources");
        // idle RSS measured at ~233 MB (JDK 17, this extension set): the request must hold an idle pod
        assertThat(bytes(Yaml.string(jvm, "requests", "memory"))).isGreaterThanOrEqualTo(new BigDecimal(233L * 1000 * 1000));
        Object nativePatch = Manifests.documents(Manifests.OVERLAYS.resolve("native/deployment-native.yaml")).get(0).body();
        Object nativeResources = Yaml.map(Yaml.list(nativePatch, "spec", "template", "spec", "containers").get(0), "resources");
        assertThat(bytes(Yaml.string(nativeResources, "requests", "memory")))
                .isLessThan(bytes(Yaml.string(jvm, "requests", "memory")));
        assertThat(bytes(Yaml.string(nativeResources, "limits", "memory")))
                .isLessThan(bytes(Yaml.string(jvm, "limits", "memory")));
    }

    @Test
    void servicesExposeANamedHttpPortThatTheGatewayListensOn() {
        assertThat(coreServices()).isNotEmpty();
        for (Doc service : coreServices()) {
            Doc deployment = Manifests.resource("Deployment", service.name());
            Map<String, Integer> ports = containerPorts(Manifests.containers(deployment).get(0));
            for (Object port : Yaml.list(service.body(), "spec", "ports")) {
                assertThat(Yaml.string(port, "name")).as("port name of %s (meshes detect the protocol by it)", service)
                        .matches("http(-.+)?");
                assertThat(ports).as("targetPort of %s", service).containsKey(Yaml.string(port, "targetPort"));
                assertThat(Yaml.string(port, "targetPort")).as("the management port stays out of %s", service)
                        .isNotEqualTo("management");
            }
        }
        for (Doc workload : Manifests.workloads()) {
            Map<String, Integer> ports = containerPorts(Manifests.containers(workload).get(0));
            if (Manifests.isKnative(workload)) {
                // Knative routes one port: quarkus.http.port
                assertThat(ports).as("container ports of %s", workload).containsExactly(Map.entry("http1", 8080));
            } else {
                // quarkus.http.port and quarkus.management.port
                assertThat(ports).as("container ports of %s", workload)
                        .containsExactly(Map.entry("http", 8080), Map.entry("management", 9000));
            }
        }
    }

    @Test
    void prometheusScrapesTheMetricsEndpointOfEveryPod() {
        for (Doc workload : Manifests.workloads()) {
            Map<String, Object> annotations = Yaml.map(workload.body(), "spec", "template", "metadata", "annotations");
            assertThat(annotations).as("scrape annotations of %s", workload)
                    .containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/path", "/q/metrics")
                    // the management port; Knative's one port where the API serves its metrics on the main port
                    .containsEntry("prometheus.io/port", Manifests.isKnative(workload) ? "8080" : "9000");
        }
    }

    @Test
    void shutdownTimeoutFitsInTheTerminationGracePeriod() {
        for (Doc workload : Manifests.workloads()) {
            Object container = Manifests.containers(workload).get(0);
            String timeout = env(container).get("QUARKUS_SHUTDOWN_TIMEOUT");
            assertThat(timeout).as("QUARKUS_SHUTDOWN_TIMEOUT of %s", workload).isNotNull();
            Duration shutdown = new DurationConverter().convert(timeout);
            assertThat(shutdown).as("shutdown timeout of %s", workload).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
            if (Manifests.isKnative(workload)) {
                // Knative uses the revision timeout as the pod's termination grace period
                long grace = ((Number) Yaml.at(workload.body(), "spec", "template", "spec", "timeoutSeconds")).longValue();
                assertThat(Duration.ofSeconds(grace)).as("timeoutSeconds of %s", workload).isGreaterThan(shutdown);
            } else {
                long grace = ((Number) Yaml.at(workload.body(), "spec", "template", "spec", "terminationGracePeriodSeconds"))
                        .longValue();
                Object preStopSleep = Yaml.at(container, "lifecycle", "preStop", "sleep", "seconds");
                Duration budget = shutdown.plusSeconds(preStopSleep == null ? 0 : ((Number) preStopSleep).longValue());
                assertThat(Duration.ofSeconds(grace)).as("terminationGracePeriodSeconds of %s vs preStop + shutdown", workload)
                        .isGreaterThan(budget);
            }
        }
    }

    @Test
    void everyEnvironmentVariableIsARealConfigProperty() {
        List<Pattern> known = new ArrayList<>();
        ConfigPropertyNames.of(GatewayConfig.class).forEach(p -> known.add(ConfigPropertyNames.envPattern(p)));
        QUARKUS_PROPERTIES.forEach(p -> known.add(ConfigPropertyNames.envPattern(p)));
        List<String> names = new ArrayList<>(configMapData().keySet());
        names.addAll(secretData().keySet());
        for (Doc workload : Manifests.workloads()) {
            for (Object container : Manifests.containers(workload)) {
                names.addAll(env(container).keySet());
            }
        }
        for (Doc job : Manifests.resources("Job")) {
            for (Object container : Manifests.containers(job)) {
                names.addAll(env(container).keySet());
            }
        }
        for (Doc cronJob : Manifests.cronJobs()) {
            for (Object container : Yaml.list(Manifests.jobPodSpec(cronJob), "containers")) {
                names.addAll(env(container).keySet());
            }
        }
        for (Path patch : Manifests.patchFiles()) {
            for (Doc doc : Manifests.documents(patch)) {
                for (Object container : Manifests.containers(doc)) {
                    names.addAll(env(container).keySet());
                }
            }
        }
        assertThat(names).hasSizeGreaterThanOrEqualTo(15);
        List<String> unknown = names.stream().filter(n -> known.stream().noneMatch(p -> p.matcher(n).matches())).toList();
        assertThat(unknown).as("environment variables that no gateway.* or allowed quarkus.* property reads").isEmpty();
    }

    @Test
    void configMapAndSecretMakeAValidProductionConfiguration() {
        Map<String, String> env = new HashMap<>(configMapData());
        env.putAll(secretData());
        env.putAll(env(Manifests.containers(Manifests.resource("Deployment", "wagateway")).get(0)));
        SmallRyeConfig config = new SmallRyeConfigBuilder().withSources(new EnvConfigSource(env, 300))
                .withMapping(GatewayConfig.class).build();
        GatewayConfig gateway = config.getConfigMapping(GatewayConfig.class);

        assertThat(GatewayConfigValidator.problems(gateway, true)).as("StartupConfigCheck would refuse to start").isEmpty();
        // each value lands on the property it is meant for, through Quarkus's environment mapping
        assertThat(gateway.senders()).containsOnlyKeys("main");
        assertThat(gateway.senders().get("main").phoneNumberId()).isEqualTo(env.get("GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID"));
        assertThat(gateway.senders().get("main").accessToken()).isEqualTo(env.get("GATEWAY_SENDERS_MAIN_ACCESS_TOKEN"));
        assertThat(gateway.senders().get("main").messagesPerSecond()).isEqualTo(80);
        assertThat(gateway.defaultSender()).contains("main");
        assertThat(gateway.cloudApi().baseUrl()).isEqualTo("https://graph.facebook.com");
        assertThat(gateway.messagingLimit().dailyUniqueRecipients()).isEqualTo(2000);
        assertThat(gateway.pairRate().minInterval()).isEqualTo(Duration.ofSeconds(6));
        assertThat(gateway.dispatch().enabled()).isTrue();
        assertThat(gateway.api().keys()).contains(List.of(Manifests.PLACEHOLDER));
        assertThat(gateway.webhook().appSecret()).contains(Manifests.PLACEHOLDER);
        assertThat(gateway.webhook().verifyToken()).contains(Manifests.PLACEHOLDER);
        assertThat(gateway.callbacks().secret()).contains(Manifests.PLACEHOLDER);
        assertThat(config.getValue("quarkus.datasource.reactive.url", String.class)).startsWith("postgresql://");
    }

    @Test
    void secretIsATemplateOfPlaceholdersKeptOutOfKustomize() {
        Doc secret = Manifests.resource("Secret", SECRET);
        assertThat(secret.file()).isEqualTo(SECRET_TEMPLATE);
        assertThat(Yaml.at(secret.body(), "data")).as("base64 data: use stringData placeholders only").isNull();
        assertThat(secretData()).isNotEmpty()
                .allSatisfy((key, value) -> assertThat(value).as(key).isEqualTo(Manifests.PLACEHOLDER));
        assertThat(secretData().keySet()).allMatch(k -> SECRET_NAME.matcher(k).matches(), "holds credentials only");
        // `kubectl apply -k` must never overwrite the real Secret with placeholders
        for (Path kustomization : Manifests.kustomizations()) {
            assertThat(Manifests.documents(kustomization).get(0).body().toString()).as(kustomization.toString())
                    .doesNotContain("secret.template.yaml");
        }
        assertThat(configMapData().keySet()).as("credentials in the ConfigMap")
                .noneMatch(k -> SECRET_NAME.matcher(k).matches());
        assertThat(configMapData().keySet()).doesNotContainAnyElementsOf(secretData().keySet());
    }

    @Test
    void everyWorkloadReadsTheConfigMapAndTheSecret() {
        Manifests.resource("ConfigMap", CONFIG_MAP);
        for (Doc workload : Manifests.workloads()) {
            List<String> sources = new ArrayList<>();
            for (Object from : Yaml.list(Manifests.containers(workload).get(0), "envFrom")) {
                sources.add(Objects.requireNonNullElse(Yaml.string(from, "configMapRef", "name"),
                        "secret:" + Yaml.string(from, "secretRef", "name")));
            }
            assertThat(sources).as("envFrom of %s", workload).containsExactly(CONFIG_MAP, "secret:" + SECRET);
        }
    }

    @Test
    void knativeApiMayScaleToZeroBecauseAnAlwaysOnDispatcherDrainsTheQueue() {
        Doc api = Manifests.workloads().stream().filter(Manifests::isKnative).findFirst().orElseThrow();
        assertThat(api.file().getParent()).isEqualTo(Manifests.OVERLAYS.resolve("knative"));
        assertThat(Yaml.map(api.body(), "spec", "template", "metadata", "annotations"))
                .containsEntry("autoscaling.knative.dev/min-scale", "0");
        assertThat(env(Manifests.containers(api).get(0))).containsEntry("GATEWAY_DISPATCH_ENABLED", "false");

        Doc dispatcher = Manifests.resource("Deployment", "wagateway-dispatcher");
        assertThat(dispatcher.file().getParent()).isEqualTo(api.file().getParent());
        assertThat(((Number) Yaml.at(dispatcher.body(), "spec", "replicas")).intValue()).isGreaterThanOrEqualTo(1);
        assertThat(env(Manifests.containers(dispatcher).get(0))).containsEntry("GATEWAY_DISPATCH_ENABLED", "true");
        assertThat(configMapData()).as("replicas of the jvm and native overlays dispatch")
                .containsEntry("GATEWAY_DISPATCH_ENABLED", "true");
    }

    /**
     * Issue 19, migrations once: a Job in the base (so in every overlay) runs the gateway's image with
     * gateway.migrate-and-exit=true and the replicas' settings; no replica migrates at start.
     */
    @Test
    void aJobMigratesOncePerReleaseAndNoReplicaMigratesAtStart() {
        Doc job = Manifests.resource("Job", "wagateway-migrate");
        assertThat(job.file().getParent()).isEqualTo(Manifests.BASE);
        assertThat(Yaml.list(Manifests.documents(Manifests.BASE.resolve("kustomization.yaml")).get(0).body(), "resources"))
                .contains(job.file().getFileName().toString());
        Object podSpec = Yaml.at(job.body(), "spec", "template", "spec");
        assertThat(Yaml.string(podSpec, "restartPolicy")).isIn("OnFailure", "Never");
        assertThat(Yaml.at(job.body(), "spec", "backoffLimit")).as("a failing migration is retried a bounded number of times")
                .isNotNull();
        assertThat(Yaml.at(podSpec, "automountServiceAccountToken")).isEqualTo(false);
        assertThat(Yaml.at(podSpec, "securityContext", "runAsNonRoot")).isEqualTo(true);
        List<Object> containers = Manifests.containers(job);
        assertThat(containers).hasSize(1);
        Object container = containers.get(0);
        assertThat(Yaml.string(container, "image")).as("the replicas' image, rewritten by each overlay").isEqualTo("wagateway");
        assertThat(env(container)).containsEntry("GATEWAY_MIGRATE_AND_EXIT", "true");
        List<String> sources = new ArrayList<>();
        for (Object from : Yaml.list(container, "envFrom")) {
            sources.add(Objects.requireNonNullElse(Yaml.string(from, "configMapRef", "name"),
                    "secret:" + Yaml.string(from, "secretRef", "name")));
        }
        assertThat(sources).as("the replicas' settings").containsExactly(CONFIG_MAP, "secret:" + SECRET);
        assertResources(Yaml.map(container, "resources"), "the migration Job");
        Object security = Yaml.at(container, "securityContext");
        assertThat(Yaml.at(security, "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(Yaml.at(security, "allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(Yaml.list(security, "capabilities", "drop")).contains("ALL");
        assertThat(Yaml.list(container, "volumeMounts"))
                .anySatisfy(m -> assertThat(Yaml.string(m, "mountPath")).isEqualTo("/tmp"));

        assertThat(configMapData()).containsEntry("QUARKUS_FLYWAY_MIGRATE_AT_START", "false");
        for (Doc workload : Manifests.workloads()) {
            for (Object replica : Manifests.containers(workload)) {
                assertThat(env(replica)).as("replicas of %s", workload).doesNotContainKey("QUARKUS_FLYWAY_MIGRATE_AT_START")
                        .doesNotContainKey("GATEWAY_MIGRATE_AND_EXIT");
            }
        }
    }

    /**
     * The drain-cronjob overlay: the API replicas do not dispatch, a CronJob runs the jar in drain mode on the same
     * ConfigMap and Secret, never two at once, hardened like every pod, and Kubernetes kills no run that is still
     * within its budget and its shutdown.
     */
    @Test
    void drainCronJobRunsTheJarInDrainModeBesideAnApiThatDoesNotDispatch() {
        Path overlay = Manifests.OVERLAYS.resolve("drain-cronjob");
        assertThat(Manifests.cronJobs()).hasSize(1);
        Doc cronJob = Manifests.cronJobs().get(0);
        assertThat(cronJob.file().getParent()).isEqualTo(overlay);
        assertThat(Yaml.string(cronJob.body(), "apiVersion")).isEqualTo("batch/v1");
        assertThat(Yaml.string(cronJob.body(), "spec", "concurrencyPolicy")).isEqualTo("Forbid");
        assertThat(Yaml.string(cronJob.body(), "spec", "schedule")).isNotBlank();
        Object podSpec = Manifests.jobPodSpec(cronJob);
        assertThat(Yaml.string(podSpec, "restartPolicy")).isEqualTo("Never");
        assertThat(Yaml.string(podSpec, "serviceAccountName")).isEqualTo("wagateway");
        assertThat(Yaml.at(podSpec, "automountServiceAccountToken")).isEqualTo(false);
        assertThat(Yaml.at(podSpec, "securityContext", "runAsNonRoot")).isEqualTo(true);

        Map<String, String> podLabels = labels(Yaml.map(cronJob.body(), "spec", "jobTemplate", "spec", "template",
                "metadata", "labels"));
        assertThat(podLabels).containsAllEntriesOf(Map.of("app", "wagateway", "app.kubernetes.io/name", "wagateway",
                "app.kubernetes.io/part-of", "wagateway", "app.kubernetes.io/version", version));
        assertThat(podLabels).as("the NetworkPolicy (egress to PostgreSQL and the Cloud API) covers the runs")
                .containsAllEntriesOf(labels(Yaml.map(Manifests.resource("NetworkPolicy", "wagateway").body(),
                        "spec", "podSelector", "matchLabels")));

        List<Object> containers = Yaml.list(podSpec, "containers");
        assertThat(containers).hasSize(1);
        Object container = containers.get(0);
        assertThat(Yaml.string(container, "image")).isEqualTo("wagateway");
        List<String> sources = new ArrayList<>();
        for (Object from : Yaml.list(container, "envFrom")) {
            sources.add(Objects.requireNonNullElse(Yaml.string(from, "configMapRef", "name"),
                    "secret:" + Yaml.string(from, "secretRef", "name")));
        }
        assertThat(sources).as("the API's ConfigMap and Secret").containsExactly(CONFIG_MAP, "secret:" + SECRET);
        Map<String, String> env = env(container);
        assertThat(env).containsEntry("GATEWAY_DISPATCH_ENABLED", "true").containsEntry("GATEWAY_DISPATCH_MODE", "drain");
        assertResources(Yaml.map(container, "resources"), "the drain run");
        Object security = Yaml.at(container, "securityContext");
        assertThat(Yaml.at(security, "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(Yaml.at(security, "allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(Yaml.list(security, "capabilities", "drop")).contains("ALL");
        assertThat(Yaml.list(container, "volumeMounts")).anySatisfy(m -> assertThat(Yaml.string(m, "mountPath"))
                .isEqualTo("/tmp"));

        // the whole config of a run, as the gateway reads it, is valid and is drain mode
        Map<String, String> all = new HashMap<>(configMapData());
        all.putAll(secretData());
        all.putAll(env);
        GatewayConfig gateway = new SmallRyeConfigBuilder().withSources(new EnvConfigSource(all, 300))
                .withMapping(GatewayConfig.class).build().getConfigMapping(GatewayConfig.class);
        assertThat(GatewayConfigValidator.problems(gateway, true)).isEmpty();
        assertThat(gateway.dispatch().mode()).isEqualTo(GatewayConfig.Mode.DRAIN);
        // a run within its budget, then its shutdown, is never killed by the Job's deadline
        Duration shutdown = new DurationConverter().convert(env.get("QUARKUS_SHUTDOWN_TIMEOUT"));
        long deadline = ((Number) Yaml.at(cronJob.body(), "spec", "jobTemplate", "spec", "activeDeadlineSeconds"))
                .longValue();
        assertThat(Duration.ofSeconds(deadline)).as("activeDeadlineSeconds vs budget + shutdown + a start")
                .isGreaterThan(gateway.dispatch().drainBudget().plus(shutdown).plusSeconds(30));
        long grace = ((Number) Yaml.at(podSpec, "terminationGracePeriodSeconds")).longValue();
        assertThat(Duration.ofSeconds(grace)).isGreaterThan(shutdown);

        // the API replicas of the overlay leave the senders to the runs
        Path patch = overlay.resolve("deployment-api-only.yaml");
        assertThat(Manifests.patchFiles()).contains(patch.normalize());
        Doc api = Manifests.documents(patch).get(0);
        assertThat(Yaml.string(api.body(), "kind")).isEqualTo("Deployment");
        assertThat(api.name()).isEqualTo("wagateway");
        assertThat(env(Manifests.containers(api).get(0))).containsEntry("GATEWAY_DISPATCH_ENABLED", "false");
    }

    /**
     * Each upload spools up to quarkus.http.limits.max-body-size in /tmp: every workload's /tmp must hold as many
     * as it takes at once (gateway.media.max-concurrent-uploads) plus the JVM's and Vert.x's own files, or one
     * large upload gets the pod evicted. The 64 MiB /tmp of old could not hold a single 100 MiB document.
     */
    @Test
    void tmpVolumesHoldTheUploadsEachWorkloadTakesAtOnce() {
        Properties properties = UploadSpoolBudget.applicationProperties();
        long maxBody = UploadSpoolBudget.maxBodyBytes();
        assertThat(maxBody).as("max-body-size admits the largest media file plus multipart overhead")
                .isGreaterThan(MediaLimits.largestMax());
        assertThat(properties.getProperty("quarkus.http.body.uploads-directory")).as("uploads spool on the /tmp volume")
                .startsWith("${java.io.tmpdir}/");
        assertThat(properties.getProperty("quarkus.http.body.delete-uploaded-files-on-end")).isEqualTo("true");
        List<UploadSpoolBudget.Workload> workloads = UploadSpoolBudget.workloads();
        assertThat(workloads).hasSizeGreaterThanOrEqualTo(3);
        for (UploadSpoolBudget.Workload workload : workloads) {
            assertThat(workload.tmpSizeLimit()).as("/tmp sizeLimit of %s for %d upload(s) of %d bytes + %d reserved",
                    workload.name(), workload.concurrentUploads(), maxBody, UploadSpoolBudget.TMP_RESERVE)
                    .isGreaterThanOrEqualTo(UploadSpoolBudget.TMP_RESERVE + workload.concurrentUploads() * maxBody);
        }
        assertThat(workloads).as("the API workloads take uploads").filteredOn(w -> w.concurrentUploads() > 0)
                .hasSizeGreaterThanOrEqualTo(2);
    }

    // -- helpers ---------------------------------------------------------------------------------------

    private static List<Doc> coreServices() {
        return Manifests.resources("Service").stream().filter(d -> !Manifests.isKnative(d)).toList();
    }

    private static Map<String, String> podLabels(Doc workload) {
        return labels(Yaml.map(workload.body(), "spec", "template", "metadata", "labels"));
    }

    private static Map<String, String> labels(Map<String, Object> raw) {
        Map<String, String> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    private static Map<String, Integer> containerPorts(Object container) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Object port : Yaml.list(container, "ports")) {
            ports.put(Yaml.string(port, "name"), ((Number) Yaml.at(port, "containerPort")).intValue());
        }
        return ports;
    }

    private static List<String> ports(List<Object> ports) {
        return ports.stream()
                .map(p -> Objects.requireNonNullElse(Yaml.string(p, "protocol"), "TCP") + "/" + Yaml.string(p, "port"))
                .toList();
    }

    static Map<String, String> env(Object container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object entry : Yaml.list(container, "env")) {
            env.put(Yaml.string(entry, "name"), Yaml.string(entry, "value"));
        }
        return env;
    }

    private static Map<String, String> configMapData() {
        return labels(Yaml.map(Manifests.resource("ConfigMap", CONFIG_MAP).body(), "data"));
    }

    private static Map<String, String> secretData() {
        Object secret = Manifests.resource("Secret", SECRET).body();
        Map<String, String> data = labels(Yaml.map(secret, "stringData"));
        data.putAll(labels(Yaml.map(secret, "data")));
        return data;
    }

    private static void assertResources(Map<String, Object> resources, String what) {
        for (String path : List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")) {
            String[] parts = path.split("\\.");
            if (Yaml.string(resources, parts) == null) {
                fail("%s has no resources.%s", what, path);
            }
        }
        assertThat(cpu(Yaml.string(resources, "requests", "cpu"))).as("cpu request <= limit of %s", what)
                .isLessThanOrEqualTo(cpu(Yaml.string(resources, "limits", "cpu")));
        assertThat(bytes(Yaml.string(resources, "requests", "memory"))).as("memory request <= limit of %s", what)
                .isLessThanOrEqualTo(bytes(Yaml.string(resources, "limits", "memory")));
    }

    static BigDecimal cpu(String quantity) {
        return quantity.endsWith("m") ? new BigDecimal(quantity.substring(0, quantity.length() - 1)).movePointLeft(3)
                : new BigDecimal(quantity);
    }

    static BigDecimal bytes(String quantity) {
        Map<String, Long> units = Map.of("Ki", 1L << 10, "Mi", 1L << 20, "Gi", 1L << 30, "k", 1000L, "M", 1000_000L,
                "G", 1000_000_000L);
        for (var unit : units.entrySet()) {
            if (quantity.endsWith(unit.getKey())) {
                return new BigDecimal(quantity.substring(0, quantity.length() - unit.getKey().length()))
                        .multiply(BigDecimal.valueOf(unit.getValue()));
            }
        }
        return new BigDecimal(quantity);
    }
}
