package wagateway.sandbox;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

/** The simulated send endpoint as a client sees it: credentials, request rules, Meta's answer shapes. */
@QuarkusTest
@TestProfile(SandboxTestProfile.class)
class SandboxGraphApiTest extends SandboxTestBase {

    @Test
    void refusesAWrongTokenWith190() {
        post(MAIN_ID, "not-the-token", textBody(newPhone(), "hi"))
                .statusCode(401)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo(190))
                .body("error.type", equalTo("OAuthException"))
                .body("error.fbtrace_id", matchesPattern("[A-Za-z0-9_-]{23}"));
    }

    @Test
    void refusesAMissingTokenWith190() {
        given().contentType(ContentType.JSON).body(textBody(newPhone(), "hi"))
                .when().post("/sandbox/graph/v25.0/" + MAIN_ID + "/messages")
                .then().statusCode(401).body("error.code", equalTo(190));
    }

    @Test
    void answersAnUnknownPhoneNumberIdWith100() {
        post("999999999999999", MAIN_TOKEN, textBody(newPhone(), "hi"))
                .statusCode(400)
                .body("error.code", equalTo(100))
                .body("error.message", containsString("999999999999999"));
    }

    @Test
    void refusesTheTokenOfAnotherNumber() {
        post(SECOND_ID, MAIN_TOKEN, textBody(newPhone(), "hi")).statusCode(400).body("error.code", equalTo(100));
        post(SECOND_ID, SECOND_TOKEN, textBody(newPhone(), "hi")).statusCode(200);
    }

    @Test
    void requiresMessagingProductWhatsapp() {
        send("{\"to\":\"5511987654321\",\"type\":\"text\",\"text\":{\"body\":\"hi\"}}")
                .statusCode(400).body("error.code", equalTo(100))
                .body("error.message", equalTo("(#100) The parameter messaging_product is required."))
                .body("error.error_data.details", containsString("messaging_product"));
        send("{\"messaging_product\":\"sms\",\"to\":\"5511987654321\",\"type\":\"text\",\"text\":{\"body\":\"hi\"}}")
                .statusCode(400).body("error.code", equalTo(100))
                .body("error.error_data.details", containsString("messaging_product"));
    }

    @Test
    void requiresToAndAnIndividualRecipient() {
        send("{\"messaging_product\":\"whatsapp\",\"type\":\"text\",\"text\":{\"body\":\"hi\"}}")
                .statusCode(400).body("error.code", equalTo(100)).body("error.error_data.details", containsString("to"));
        send("{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"group\",\"to\":\"5511987654321\",\"type\":\"text\","
                + "\"text\":{\"body\":\"hi\"}}")
                .statusCode(400).body("error.code", equalTo(100))
                .body("error.error_data.details", containsString("recipient_type"));
    }

    @Test
    void answersMalformedJsonWith100() {
        send("{\"messaging_product\":").statusCode(400).body("error.code", equalTo(100));
    }

    @Test
    void answersAMissingFieldWith131008() {
        send("{\"messaging_product\":\"whatsapp\",\"to\":\"5511987654321\",\"text\":{\"body\":\"hi\"}}")
                .statusCode(400)
                .body("error.code", equalTo(131008))
                .body("error.message", equalTo("(#131008) Required parameter is missing"))
                .body("error.error_data.messaging_product", equalTo("whatsapp"))
                .body("error.error_data.details", containsString("type"));
    }

    @Test
    void answersAnInvalidValueWith131009() {
        send(textBody("not-a-phone", "hi"))
                .statusCode(400)
                .body("error.code", equalTo(131009))
                .body("error.message", equalTo("(#131009) Parameter value is not valid"))
                .body("error.error_data.details", containsString("to"));
    }

    @Test
    void answersSuccessLikeMeta() {
        String to = newPhone();
        String answer = send(textBody(to, "hi")).statusCode(200).contentType(ContentType.JSON)
                .body("contacts[0].input", equalTo(to))
                .body("contacts[0].wa_id", equalTo(to.substring(1)))
                .body("messages[0].id", startsWith("wamid."))
                .extract().asString();
        JsonShape.assertSameShape(JsonShape.fixture("send-response-message-status-accepted.json"), JsonShape.parse(answer));
        // the older sample has no message_status
        JsonShape.assertSameShape(JsonShape.fixture("send-response.json"), JsonShape.parse(answer),
                "messages[].message_status");
    }

    @Test
    void givesEveryMessageItsOwnWamid() {
        String first = accepted(textBody(newPhone(), "one"));
        String second = accepted(textBody(newPhone(), "two"));
        org.junit.jupiter.api.Assertions.assertNotEquals(first, second);
    }

    @Test
    void acceptsAnyVersionAndFormattedNumbers() {
        given().auth().oauth2(MAIN_TOKEN).contentType(ContentType.JSON).body(textBody("+55 (11) 98765-0001", "hi"))
                .when().post("/sandbox/graph/v17.0/" + MAIN_ID + "/messages")
                .then().statusCode(200)
                .body("contacts[0].input", equalTo("+55 (11) 98765-0001"))
                .body("contacts[0].wa_id", equalTo("5511987650001"));
        given().auth().oauth2(MAIN_TOKEN).contentType(ContentType.JSON).body(textBody(newPhone(), "hi"))
                .when().post("/sandbox/graph/anything/" + MAIN_ID + "/messages")
                .then().statusCode(200);
    }

    @Test
    void marksMessagesRead() {
        String wamid = customerWrites(newPhone(), "hello");
        // the sandbox knows the customer's message once its webhook went out
        org.awaitility.Awaitility.await().until(() -> send(
                "{\"messaging_product\":\"whatsapp\",\"status\":\"read\",\"message_id\":\"" + wamid + "\"}")
                .extract().statusCode() == 200);
        send("{\"messaging_product\":\"whatsapp\",\"status\":\"read\"}")
                .statusCode(400).body("error.code", equalTo(131008));
    }
}
