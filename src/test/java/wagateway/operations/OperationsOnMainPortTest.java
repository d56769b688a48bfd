package wagateway.operations;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import wagateway.testsupport.Management;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** gateway.operations.on-main-port (the Knative overlay): health and metrics on the main port too. */
@QuarkusTest
@TestProfile(OperationsOnMainPortTest.OnMainPort.class)
class OperationsOnMainPortTest {

    public static class OnMainPort implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.operations.on-main-port", "true");
        }
    }

    @Test
    void healthAndMetricsAnswerOnTheMainPort() {
        for (String path : new String[] { "/q/health", "/q/health/live", "/q/health/ready", "/q/health/started" }) {
            given().when().get(path).then().statusCode(200).contentType(containsString("application/json"))
                    .body("status", equalTo("UP"));
        }
        given().when().get("/q/health/ready").then().body("checks.name", hasItem(DatabaseReadiness.NAME));
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("# TYPE"));
        // and still on the management port; the OpenAPI document stays there only
        given().when().get(Management.url("/q/health/ready")).then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(404);
    }
}
