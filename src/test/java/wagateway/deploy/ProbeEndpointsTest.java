package wagateway.deploy;

import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.deploy.Manifests.Doc;
import wagateway.deploy.Manifests.Yaml;
import wagateway.testsupport.Management;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Every path that kubernetes/ probes or scrapes is answered by the running application, on the management port
 * (the Knative API serves the same paths on its main port: OperationsOnMainPortTest).
 */
@QuarkusTest
class ProbeEndpointsTest {

    @Test
    void everyProbePathAnswersUp() {
        Set<String> paths = new TreeSet<>();
        for (Doc workload : Manifests.workloads()) {
            for (Object container : Manifests.containers(workload)) {
                for (String probe : new String[] { "startupProbe", "livenessProbe", "readinessProbe" }) {
                    String path = Yaml.string(container, probe, "httpGet", "path");
                    if (path != null) {
                        paths.add(path);
                    }
                }
            }
        }
        assertThat(paths).containsExactly("/q/health/live", "/q/health/ready", "/q/health/started");
        for (String path : paths) {
            given().when().get(Management.url(path)).then().statusCode(200).body("status", equalTo("UP"));
        }
    }

    @Test
    void theScrapedMetricsPathServesPrometheusText() {
        Set<String> paths = new TreeSet<>();
        for (Doc workload : Manifests.workloads()) {
            paths.add(Yaml.string(workload.body(), "spec", "template", "metadata", "annotations", "prometheus.io/path"));
        }
        assertThat(paths).singleElement().isNotNull();
        given().when().get(Management.url(paths.iterator().next())).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("# TYPE"));
    }
}
