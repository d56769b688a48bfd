package wagateway.sandbox;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import wagateway.sandbox.WebhookSink.Delivery;
import wagateway.support.Hmac;
import wagateway.testsupport.TestClockProducer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The customer-service window: opened by the customer writing, closed by time (moved on the test clock). */
@QuarkusTest
@TestProfile(SandboxTestProfile.class)
class SandboxWindowTest extends SandboxTestBase {

    @Test
    void freeFormWithoutAWindowIsAcceptedThenFailsWith131047() {
        String customer = newPhone();
        String wamid = accepted(textBody(customer, "are you there?"));

        Delivery failed = Webhooks.awaitStatus(wamid, "failed");
        // the 2026 recipient_user_id (business-scoped user id, issue 17) postdates the sample
        JsonShape.assertSameShape(JsonShape.fixture("status-failed-131047.json"), failed.json(),
                "entry[].changes[].value.statuses[].recipient_user_id");
        JsonNode error = failed.status().path("errors").path(0);
        assertEquals(131047, error.path("code").asInt());
        assertEquals("Re-engagement message", error.path("title").asText());
        assertEquals(customer.substring(1), failed.status().path("recipient_id").asText());
        assertTrue(Hmac.verify(SandboxTestProfile.APP_SECRET, failed.body(), failed.signature()));
        assertEquals(java.util.List.of("failed"), Webhooks.statusNamesOf(wamid));
        given().queryParam("to", customer).get("/sandbox/messages").then()
                .body("[0].status", equalTo("failed"))
                .body("[0].errorCode", equalTo(131047));
    }

    @Test
    void answers131047SynchronouslyWhenConfigured() {
        setFaults("{\"windowErrorSync\":true}");
        String customer = newPhone();
        send(textBody(customer, "are you there?"))
                .statusCode(400)
                .body("error.code", equalTo(131047))
                .body("error.message", equalTo("(#131047) Re-engagement message"));
        given().queryParam("to", customer).get("/sandbox/messages").then().body("$", empty());
    }

    @Test
    void theCustomerWritingOpensTheWindowFor24Hours() {
        String customer = newPhone();
        customerWrites(customer, "hello");
        String inside = accepted(textBody(customer, "hi, how can we help?"));
        Delivery delivered = Webhooks.awaitStatus(inside, "delivered");
        assertEquals("service", delivered.status().path("pricing").path("category").asText());
        assertEquals("free_customer_service", delivered.status().path("pricing").path("type").asText());
        assertFalse(delivered.status().path("pricing").path("billable").asBoolean());

        TestClockProducer.CLOCK.advance(Duration.ofHours(24).minusMinutes(1));
        String stillInside = accepted(textBody(customer, "anything else?"));
        Webhooks.awaitStatus(stillInside, "delivered");

        TestClockProducer.CLOCK.advance(Duration.ofMinutes(2));
        String outside = accepted(textBody(customer, "hello again"));
        Webhooks.awaitStatus(outside, "failed");
        assertFalse(Webhooks.statusNamesOf(outside).contains("sent"));
    }

    @Test
    void eachCustomerMessageRestartsTheWindow() {
        String customer = newPhone();
        customerWrites(customer, "hello");
        TestClockProducer.CLOCK.advance(Duration.ofHours(20));
        customerWrites(customer, "still there?");
        TestClockProducer.CLOCK.advance(Duration.ofHours(20));
        String wamid = accepted(textBody(customer, "yes"));
        Webhooks.awaitStatus(wamid, "delivered");
    }

    @Test
    void anAdReferralOpensAFreeEntryPointWindowFor72Hours() {
        String customer = newPhone();
        given().contentType(ContentType.JSON).body("{\"text\":\"I saw your ad\",\"referral\":true}")
                .when().post("/sandbox/customers/" + customer + "/messages")
                .then().statusCode(200).body("freeEntryPoint", equalTo(true));

        TestClockProducer.CLOCK.advance(Duration.ofHours(71));
        String inside = accepted(textBody(customer, "still interested?"));
        Delivery sent = Webhooks.awaitStatus(inside, "sent");
        assertEquals("referral_conversion", sent.status().path("pricing").path("category").asText());
        assertEquals("free_entry_point", sent.status().path("pricing").path("type").asText());

        TestClockProducer.CLOCK.advance(Duration.ofHours(1).plusSeconds(1));
        String outside = accepted(textBody(customer, "last chance"));
        Webhooks.awaitStatus(outside, "failed");
    }

    @Test
    void windowsBelongToOneBusinessNumber() {
        String customer = newPhone();
        customerWrites(customer, "hello main");
        String other = post(SECOND_ID, SECOND_TOKEN, textBody(customer, "hi from the second number"))
                .statusCode(200).extract().path("messages[0].id");
        Webhooks.awaitStatus(other, "failed");
    }

    @Test
    void templatesNeedNoWindowAndAreBilled() {
        String customer = newPhone();
        String wamid = accepted(templateBody(customer, "hello_world", 0));
        Delivery delivered = Webhooks.awaitStatus(wamid, "delivered");
        assertEquals("utility", delivered.status().path("pricing").path("category").asText());
        assertEquals("regular", delivered.status().path("pricing").path("type").asText());
        assertTrue(delivered.status().path("pricing").path("billable").asBoolean());
    }
}
