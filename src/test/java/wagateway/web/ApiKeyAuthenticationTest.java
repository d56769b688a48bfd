package wagateway.web;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.testsupport.Management;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
class ApiKeyAuthenticationTest {

    @Test
    void refusesV1WithoutKey() {
        given().when().get("/v1/messages/0190a9a4-7c3e-7000-8000-000000000000")
                .then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("status", equalTo(401))
                .body("title", equalTo("Unauthorized"))
                .body("detail", nullValue());
    }

    @Test
    void refusesWrongKeyWithoutSayingWhy() {
        given().auth().oauth2("test-key-but-wrong")
                .when().get("/v1/messages/0190a9a4-7c3e-7000-8000-000000000000")
                .then().statusCode(401)
                .body("detail", nullValue());
    }

    @Test
    void refusesOtherSchemes() {
        given().auth().preemptive().basic("test-key", "")
                .when().get("/v1/messages")
                .then().statusCode(401);
    }

    @Test
    void acceptsEveryConfiguredKey() {
        for (String key : new String[] { "test-key", "second-key" }) {
            given().auth().oauth2(key)
                    .when().get("/v1/no-such-resource")
                    .then().statusCode(404)
                    .contentType("application/problem+json");
        }
    }

    @Test
    void leavesOperationsAndWebhooksOpen() {
        given().when().get(Management.url("/q/health/live")).then().statusCode(200);
        given().when().get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1")
                .then().statusCode(not(equalTo(401)));
    }
}
