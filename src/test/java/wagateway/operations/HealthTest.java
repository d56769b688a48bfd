package wagateway.operations;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.testsupport.Management;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class HealthTest {

    @Test
    void healthMetricsAndOpenApiAreOnTheManagementPortOnly() {
        given().when().get(Management.url("/q/health/live")).then().statusCode(200).body("status", equalTo("UP"));
        given().when().get(Management.url("/q/health/started")).then().statusCode(200);
        given().when().get(Management.url("/q/metrics")).then().statusCode(200).body(containsString("# TYPE"));
        given().when().get(Management.url("/q/openapi")).then().statusCode(200);
        // dev and test only (the production jar has none: ProductionBuildHasNoSandboxIT)
        given().when().get(Management.url("/q/swagger-ui/")).then().statusCode(200);
        for (String path : new String[] { "/q/health", "/q/health/live", "/q/health/ready", "/q/health/started",
                "/q/metrics", "/q/openapi", "/q/swagger-ui/" }) {
            given().when().get(path).then().statusCode(404);
        }
    }

    @Test
    void readinessAsksThePoolAndOnlyThePool() {
        given().when().get(Management.url("/q/health/ready"))
                .then().log().ifValidationFails().statusCode(200)
                .body("status", equalTo("UP"))
                // the template catalogue's check reads each replica's memory only (never fails readiness)
                .body("checks.name", containsInAnyOrder(DatabaseReadiness.NAME, "Template catalogue"));
    }

    @Test
    void aFloodOfReadinessProbesOpensNoPostgresqlConnections() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            given().when().get(Management.url("/q/health/ready")).then().statusCode(200);
        }
        long before = sessions();
        for (int i = 0; i < 40; i++) {
            given().when().get(Management.url("/q/health/ready")).then().statusCode(200);
        }
        long after = sessions();
        // each TestDb read is a session of its own, and the app's pool may open one for other work: far from 40
        assertThat(after - before).isLessThan(10);
    }

    /** Sessions ever established to the test database (PostgreSQL counts them when it flushes its statistics). */
    private static long sessions() throws InterruptedException {
        Thread.sleep(1500);
        return ((Number) TestDb.query("select sessions from pg_stat_database where datname = current_database()")
                .get(0).get("sessions")).longValue();
    }
}
