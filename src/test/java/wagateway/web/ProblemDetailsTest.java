package wagateway.web;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/** Every class of error answers application/problem+json (RFC 9457) with type, title, status. */
@QuarkusTest
class ProblemDetailsTest {

    @Test
    void validationListsFieldsAndMessages() {
        given().auth().oauth2("test-key").contentType(ContentType.JSON)
                .body("{\"to\":\"123\",\"type\":\"text\",\"text\":{\"body\":\"\"}}")
                .post("/v1/messages")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:wagateway:problem:validation"))
                .body("title", equalTo("Bad Request"))
                .body("status", equalTo(400))
                .body("detail", notNullValue())
                .body("errors.field", hasItem("to"))
                .body("errors.field", hasItem("text.body"))
                .body("errors[0].message", notNullValue());
    }

    @Test
    void malformedJson() {
        given().auth().oauth2("test-key").contentType(ContentType.JSON).body("{not json")
                .post("/v1/messages").then().statusCode(400).contentType("application/problem+json")
                .body("status", equalTo(400));
    }

    @Test
    void notFoundAndMethodNotAllowed() {
        given().auth().oauth2("test-key").get("/v1/nothing-here").then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));
        given().auth().oauth2("test-key").put("/v1/messages").then().statusCode(405)
                .contentType("application/problem+json").body("status", equalTo(405));
    }

    @Test
    void unsupportedMediaType() {
        given().auth().oauth2("test-key").contentType("application/xml").body("<m/>").post("/v1/messages")
                .then().statusCode(415).contentType("application/problem+json").body("status", equalTo(415));
    }

    @Test
    void bodyTooLarge() {
        byte[] big = new byte[11 * 1024 * 1024];
        given().auth().oauth2("test-key").contentType(ContentType.JSON).body(big).post("/v1/messages")
                .then().statusCode(413).contentType("application/problem+json").body("status", equalTo(413));
    }

    @Test
    void unexpectedErrorsCarryAnIdButNoInternals() {
        given().auth().oauth2("test-key").get("/v1/test-support/boom")
                .then().statusCode(500).contentType("application/problem+json")
                .body("status", equalTo(500))
                .body("errorId", notNullValue())
                .body(not(containsString("Foo.java")))
                .body(not(containsString("secret internal detail")));
    }
}
