package wagateway.sandbox;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import wagateway.sandbox.WebhookSink.Delivery;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Templates: the catalog, 132001 / 132000, and the customer-side failures 131050 and 131026. */
@QuarkusTest
@TestProfile(SandboxTestProfile.class)
class SandboxTemplatesTest extends SandboxTestBase {

    private static final String PROMO = """
            {"messaging_product":"whatsapp","to":"%s","type":"template","template":{"name":"promo_offer",
             "language":{"code":"en_US"},"components":[
              {"type":"header","parameters":[{"type":"image","image":{"link":"https://example.com/offer.jpg"}}]},
              {"type":"body","parameters":[{"type":"text","text":"20%%"}]}]}}""";

    @Test
    void answersAnUnknownTemplateWith132001() {
        send(templateBody(newPhone(), "no_such_template", 0))
                .statusCode(404)
                .body("error.code", equalTo(132001))
                .body("error.message", equalTo("(#132001) Template name does not exist in the translation"))
                .body("error.error_data.details", containsString("no_such_template"));
    }

    @Test
    void answersAnotherLanguageWith132001() {
        send(templateBody(newPhone(), "hello_world", 0).replace("en_US", "pt_BR"))
                .statusCode(404).body("error.code", equalTo(132001));
    }

    @Test
    void answersAParameterCountMismatchWith132000() {
        send(templateBody(newPhone(), "order_update", 1))
                .statusCode(400)
                .body("error.code", equalTo(132000))
                .body("error.error_data.details", containsString("body"));
        accepted(templateBody(newPhone(), "order_update", 2));
    }

    @Test
    void answersAMissingHeaderParameterWith132000() {
        send(templateBody(newPhone(), "promo_offer", 1)).statusCode(400).body("error.code", equalTo(132000));
        accepted(PROMO.formatted(newPhone()));
    }

    @Test
    void failsMarketingToAnOptedOutCustomerWith131050() {
        String customer = newPhone();
        configureCustomer(customer, "{\"marketingOptedOut\":true}");
        String promo = accepted(PROMO.formatted(customer));
        Delivery failed = Webhooks.awaitStatus(promo, "failed");
        assertEquals(131050, failed.status().path("errors").path(0).path("code").asInt());

        // utility templates still reach them
        String otp = accepted(templateBody(newPhone(), "otp_code", 1));
        Webhooks.awaitStatus(otp, "delivered");
    }

    @Test
    void failsEverythingToANonWhatsAppNumberWith131026() {
        String customer = newPhone();
        configureCustomer(customer, "{\"whatsappUser\":false}");
        String wamid = accepted(templateBody(customer, "hello_world", 0));
        Delivery failed = Webhooks.awaitStatus(wamid, "failed");
        assertEquals(131026, failed.status().path("errors").path(0).path("code").asInt());
        // the 2026 recipient_user_id (business-scoped user id, issue 17) postdates the sample
        JsonShape.assertSameShape(JsonShape.fixture("status-failed-131047.json"), failed.json(),
                "entry[].changes[].value.statuses[].recipient_user_id");
    }

    @Test
    void takesNewTemplatesAtRunTime() {
        given().contentType(ContentType.JSON).body("{\"category\":\"utility\",\"bodyParameters\":3}")
                .when().put("/sandbox/templates/shipping_notice")
                .then().statusCode(200).body("language", equalTo("en_US")).body("headerType", equalTo("none"));
        given().get("/sandbox/templates").then().body("name", hasItem("shipping_notice"));
        accepted(templateBody(newPhone(), "shipping_notice", 3));
        send(templateBody(newPhone(), "shipping_notice", 2)).statusCode(400).body("error.code", equalTo(132000));
    }

    @Test
    void refusesATemplateWithoutAKnownCategory() {
        given().contentType(ContentType.JSON).body("{\"category\":\"promotional\"}")
                .when().put("/sandbox/templates/bad_one")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("category"));
    }
}
