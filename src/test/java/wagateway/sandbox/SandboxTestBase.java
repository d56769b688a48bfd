package wagateway.sandbox;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import wagateway.testsupport.TestClockProducer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** What every sandbox test shares: a clean sandbox and sink before, the real clock after, and a client. */
abstract class SandboxTestBase {

    static final String MAIN_ID = "100000000000001";
    static final String MAIN_TOKEN = "sandbox-token-main";
    static final String SECOND_ID = "100000000000002";
    static final String SECOND_TOKEN = "sandbox-token-second";

    private static int nextPhone = 10_000;

    @BeforeEach
    void cleanSandbox() {
        given().post("/sandbox/reset").then().statusCode(200);
        Webhooks.clear();
    }

    @AfterEach
    void realTime() {
        TestClockProducer.CLOCK.reset();
    }

    /**
     * Sets the test clock to {@code at}. Limit tests pin it before each request, so the sandbox sees every
     * request within a few milliseconds of the intended instant however slow the machine is.
     */
    static void pinClock(java.time.Instant at) {
        TestClockProducer.CLOCK.advance(java.time.Duration.between(TestClockProducer.CLOCK.instant(), at));
    }

    /** A phone number no other test used in this JVM. */
    static synchronized String newPhone() {
        return "+55119876" + (nextPhone++);
    }

    static ValidatableResponse post(String phoneNumberId, String token, String body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                .when().post("/sandbox/graph/v25.0/" + phoneNumberId + "/messages").then();
    }

    static ValidatableResponse send(String body) {
        return post(MAIN_ID, MAIN_TOKEN, body);
    }

    static String textBody(String to, String text) {
        return """
                {"messaging_product":"whatsapp","recipient_type":"individual","to":"%s","type":"text","text":{"body":"%s"}}"""
                .formatted(to, text);
    }

    /** A template send with {@code bodyParameters} text parameters and no header. */
    static String templateBody(String to, String name, int bodyParameters) {
        StringBuilder params = new StringBuilder();
        for (int i = 0; i < bodyParameters; i++) {
            params.append(i == 0 ? "" : ",").append("{\"type\":\"text\",\"text\":\"p").append(i).append("\"}");
        }
        return """
                {"messaging_product":"whatsapp","to":"%s","type":"template","template":{"name":"%s",
                 "language":{"code":"en_US"},"components":[{"type":"body","parameters":[%s]}]}}"""
                .formatted(to, name, params);
    }

    /** Sends and returns the wamid of an accepted message. */
    static String accepted(String body) {
        return send(body).statusCode(200).body("messages[0].message_status", equalTo("accepted"))
                .extract().path("messages[0].id");
    }

    /** The customer writes a text: opens their window with the main number. */
    static String customerWrites(String phone, String text) {
        return given().contentType(ContentType.JSON).body("{\"text\":\"" + text + "\"}")
                .when().post("/sandbox/customers/" + phone + "/messages")
                .then().statusCode(200).extract().path("id");
    }

    static void configureCustomer(String phone, String json) {
        given().contentType(ContentType.JSON).body(json).when().put("/sandbox/customers/" + phone)
                .then().statusCode(200);
    }

    static void setFaults(String json) {
        given().contentType(ContentType.JSON).body(json).when().put("/sandbox/faults").then().statusCode(200);
    }
}
