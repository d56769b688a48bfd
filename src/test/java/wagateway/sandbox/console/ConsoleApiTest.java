package wagateway.sandbox.console;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

/** The console's HTTP surface without a browser: page, assets, threads. Runs everywhere. */
@QuarkusTest
class ConsoleApiTest {

    @BeforeEach
    void reset() {
        given().post("/sandbox/reset").then().statusCode(200);
    }

    @Test
    void servesThePageAndItsAssetsOnly() {
        given().get("/sandbox/console").then().statusCode(200).contentType(startsWith("text/html"))
                .body(containsString("/sandbox/console/assets/console.js"));
        given().get("/sandbox/console/assets/console.js").then().statusCode(200)
                .contentType(startsWith("text/javascript")).body(containsString("EventSource"));
        given().get("/sandbox/console/assets/console.css").then().statusCode(200).contentType(startsWith("text/css"));
        given().get("/sandbox/console/assets/application.properties").then().statusCode(404)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void canCreateACustomerWithAUsernameAndChangeTheirNumber() {
        // the form sends username (hides the phone) to PUT /sandbox/customers, and the number form posts /number
        given().get("/sandbox/console").then().statusCode(200).body(containsString("id=\"c-username\""))
                .body(containsString("id=\"number-form\""));
        given().get("/sandbox/console/assets/console.js").then().statusCode(200)
                .body(containsString("username: $('c-username').value.trim() || null"))
                .body(containsString("/number`"));
    }

    @Test
    void aThreadNeedsAnE164Phone() {
        given().queryParam("phone", "12345").get("/sandbox/console/thread").then().statusCode(400)
                .contentType(startsWith("application/problem+json"));
        given().get("/sandbox/console/thread").then().statusCode(400);
    }

    @Test
    void aThreadHasWhatTheCustomerWroteAndWhatTheBusinessSent() {
        String phone = TestDb.freshPhone();
        given().contentType(ContentType.JSON).body(Map.of("name", "Dora")).put("/sandbox/customers/" + phone)
                .then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("text", "Hello")).post("/sandbox/customers/" + phone + "/messages")
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().queryParam("phone", phone)
                .get("/sandbox/console/thread").then().statusCode(200).body("items", hasSize(1)));
        String wamid = given().auth().oauth2("sandbox-token-main").contentType(ContentType.JSON).body("""
                {"messaging_product":"whatsapp","to":"%s","type":"text","text":{"body":"Hi Dora"},
                 "context":{"message_id":"wamid.X"}}""".formatted(phone))
                .post("/sandbox/graph/v25.0/100000000000001/messages").then().statusCode(200)
                .extract().path("messages[0].id");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().queryParam("phone", phone)
                .get("/sandbox/console/thread").then().statusCode(200)
                .body("customer.name", equalTo("Dora"))
                .body("items", hasSize(2))
                .body("items[0].kind", equalTo("customer"))
                .body("items[0].content.body", equalTo("Hello"))
                .body("items[1].kind", equalTo("business"))
                .body("items[1].id", equalTo(wamid))
                .body("items[1].context", equalTo("wamid.X"))
                .body("items[1].content.text.body", equalTo("Hi Dora"))
                .body("items[1].status", equalTo("read")));
    }
}
