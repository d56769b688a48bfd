package wagateway.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import wagateway.testsupport.Management;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

/**
 * The production build has no Cloud API sandbox: no {@code /sandbox} route answers, the API description lists
 * none, and Quarkus generated no bean for any sandbox class (they were removed while building), while the
 * simulator build next to it has them all. Runs against the packaged jar, which is what ships.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedGatewayWithSimulator.class)
class ProductionBuildHasNoSandboxIT {

    static final Path PRODUCTION = Path.of("target", "quarkus-app");
    static final Path SIMULATOR = Path.of("target", "sandbox-app");

    @Test
    void noSandboxPathAnswers() {
        for (String path : List.of("/sandbox", "/sandbox/console", "/sandbox/console/assets/console.js",
                "/sandbox/console/thread?phone=%2B5511987654321", "/sandbox/customers", "/sandbox/messages",
                "/sandbox/faults", "/sandbox/templates", "/sandbox/media", "/sandbox/graph/v25.0/100000000000001",
                "/sandbox/media/download/x")) {
            given().urlEncodingEnabled(false).get(path).then().statusCode(404);
        }
        given().auth().oauth2("sandbox-token-main").contentType(ContentType.JSON)
                .body("{\"messaging_product\":\"whatsapp\",\"to\":\"+5511987654321\",\"type\":\"text\",\"text\":{\"body\":\"x\"}}")
                .post("/sandbox/graph/v25.0/100000000000001/messages").then().statusCode(404);
        given().contentType(ContentType.JSON).body("{\"text\":\"Hi\"}")
                .post("/sandbox/customers/+5511987654321/messages").then().statusCode(404);
        given().post("/sandbox/reset").then().statusCode(404);
        given().contentType(ContentType.JSON).body("{}").put("/sandbox/faults").then().statusCode(404);
        // the gateway itself is there
        given().auth().oauth2(PackagedGatewayWithSimulator.API_KEY).get("/v1/messages").then().statusCode(200);
    }

    @Test
    void theApiDescriptionHasNoSandbox() {
        given().get(Management.url("/q/openapi")).then().statusCode(200)
                .body(containsString("/v1/messages"))
                .body(not(containsString("/sandbox")));
    }

    /** Production: health, metrics and OpenAPI only on the management port; no Swagger UI on either port. */
    @Test
    void operationsEndpointsAreOnTheManagementPortAndSwaggerUiIsAbsent() {
        for (String path : List.of("/q/health/ready", "/q/metrics", "/q/openapi", "/q/swagger-ui", "/q/swagger-ui/",
                "/q/health-ui/")) {
            given().get(path).then().statusCode(404);
        }
        given().get(Management.url("/q/health/ready")).then().statusCode(200);
        given().get(Management.url("/q/metrics")).then().statusCode(200);
        given().get(Management.url("/q/swagger-ui/")).then().statusCode(404);
    }

    @Test
    void noSandboxBeanWasBuiltIntoTheProductionJar() throws IOException {
        assertThat(sandboxBeans(PRODUCTION)).as("sandbox beans in the production build").isEmpty();
        // the check sees beans where they exist
        assertThat(sandboxBeans(SIMULATOR)).as("sandbox beans in the simulator build")
                .contains("wagateway/sandbox/GraphApiResource_Bean.class",
                        "wagateway/sandbox/console/ConsoleResource_Bean.class",
                        "wagateway/sandbox/SandboxGate_Bean.class");
    }

    /** ArC generates a {@code <class>_Bean} for every bean it keeps, in the build's generated-bytecode.jar. */
    static List<String> sandboxBeans(Path build) throws IOException {
        try (JarFile jar = new JarFile(build.resolve("quarkus").resolve("generated-bytecode.jar").toFile())) {
            return Collections.list(jar.entries()).stream().map(ZipEntry::getName)
                    .filter(name -> name.startsWith("wagateway/sandbox/") && name.endsWith("_Bean.class"))
                    .sorted().toList();
        }
    }
}
