package wagateway.sandbox;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/** The control API: customers, the list of accepted messages, reset. Bad input is a 4xx problem. */
@QuarkusTest
@TestProfile(SandboxTestProfile.class)
class SandboxCustomersTest extends SandboxTestBase {

    @Test
    void configuresAndShowsACustomer() {
        String customer = newPhone();
        given().contentType(ContentType.JSON)
                .body("{\"name\":\"Ana\",\"whatsappUser\":true,\"marketingOptedOut\":true,\"readsMessages\":false,"
                        + "\"answerDelay\":\"PT3S\"}")
                .when().put("/sandbox/customers/" + customer)
                .then().statusCode(200)
                .body("phone", equalTo(customer))
                .body("name", equalTo("Ana"))
                .body("marketingOptedOut", equalTo(true))
                .body("readsMessages", equalTo(false))
                .body("answerDelay", equalTo("PT3S"));
        given().get("/sandbox/customers").then().body("phone", hasItem(customer));
        given().get("/sandbox/customers/" + customer).then().statusCode(200).body("name", equalTo("Ana"));
    }

    @Test
    void showsTheWindowACustomerOpened() {
        String customer = newPhone();
        given().contentType(ContentType.JSON).body("{\"text\":\"hello\"}")
                .when().post("/sandbox/customers/" + customer + "/messages")
                .then().statusCode(200)
                .body("id", startsWith("wamid."))
                .body("phoneNumberId", equalTo(MAIN_ID))
                .body("windowOpenUntil", notNullValue());
        given().get("/sandbox/customers/" + customer).then().statusCode(200)
                .body("windowOpenUntil." + MAIN_ID, notNullValue())
                .body("whatsappUser", equalTo(true));
    }

    @Test
    void listsEveryCustomerSeenConfiguredOrNot() {
        String configured = newPhone();
        String wrote = newPhone();
        String sentTo = newPhone();
        configureCustomer(configured, "{\"name\":\"Ana\"}");
        customerWrites(wrote, "hello");
        accepted(templateBody(sentTo, "hello_world", 0));
        given().get("/sandbox/customers").then().statusCode(200)
                .body("phone", contains(configured, wrote, sentTo))
                .body("find { it.phone == '%s' }.name".formatted(configured), equalTo("Ana"))
                .body("find { it.phone == '%s' }.name".formatted(wrote), equalTo("Sandbox Customer"))
                .body("find { it.phone == '%s' }.windowOpenUntil.%s".formatted(wrote, MAIN_ID), notNullValue())
                .body("find { it.phone == '%s' }.name".formatted(sentTo), equalTo("Sandbox Customer"))
                .body("find { it.phone == '%s' }.windowOpenUntil".formatted(sentTo), anEmptyMap());
        given().get("/sandbox/customers/" + sentTo).then().statusCode(200).body("whatsappUser", equalTo(true));
        // a message the sandbox refused (bad token) names nobody it has seen
        String refused = newPhone();
        post(MAIN_ID, "wrong-token", templateBody(refused, "hello_world", 0)).statusCode(401);
        given().get("/sandbox/customers").then().body("phone", not(hasItem(refused)));
    }

    @Test
    void answersAnUnknownCustomerWith404() {
        given().get("/sandbox/customers/" + newPhone()).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void refusesPhonesThatAreNotE164() {
        given().contentType(ContentType.JSON).body("{}").when().put("/sandbox/customers/5511987654321")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("phone"));
    }

    @Test
    void refusesACustomerMessageWithoutExactlyOneContent() {
        given().contentType(ContentType.JSON).body("{\"text\":\"hi\",\"buttonReply\":{\"id\":\"a\",\"title\":\"A\"}}")
                .when().post("/sandbox/customers/" + newPhone() + "/messages")
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{}")
                .when().post("/sandbox/customers/" + newPhone() + "/messages")
                .then().statusCode(400);
    }

    @Test
    void refusesUnknownFieldsAndBadDurations() {
        given().contentType(ContentType.JSON).body("{\"readMessages\":false}")
                .when().put("/sandbox/customers/" + newPhone())
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"answerDelay\":\"3 seconds\"}")
                .when().put("/sandbox/customers/" + newPhone())
                .then().statusCode(400).body("errors[0].field", equalTo("answerDelay"));
    }

    @Test
    void refusesAnUnknownBusinessNumber() {
        given().contentType(ContentType.JSON).body("{\"text\":\"hi\",\"phoneNumberId\":\"123\"}")
                .when().post("/sandbox/customers/" + newPhone() + "/messages")
                .then().statusCode(400).body("errors[0].field", equalTo("phoneNumberId"));
    }

    @Test
    void listsAcceptedMessagesByRecipient() {
        String ana = newPhone();
        String bruno = newPhone();
        String toAna = accepted(templateBody(ana, "hello_world", 0));
        accepted(templateBody(bruno, "order_update", 2));
        given().queryParam("to", ana).get("/sandbox/messages").then()
                .body("$", hasSize(1))
                .body("[0].id", equalTo(toAna))
                .body("[0].to", equalTo(ana))
                .body("[0].type", equalTo("template"))
                .body("[0].request.template.name", equalTo("hello_world"));
        given().get("/sandbox/messages").then().body("$", hasSize(2));
        given().queryParam("to", "nope").get("/sandbox/messages").then().statusCode(400);
    }

    @Test
    void resetForgetsEverything() {
        String customer = newPhone();
        configureCustomer(customer, "{\"name\":\"Ana\"}");
        accepted(templateBody(customer, "hello_world", 0));
        given().post("/sandbox/reset").then().statusCode(200);
        given().get("/sandbox/messages").then().body("$", empty());
        given().get("/sandbox/customers").then().body("$", empty());
    }
}
