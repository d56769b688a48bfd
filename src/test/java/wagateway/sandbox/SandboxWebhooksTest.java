package wagateway.sandbox;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import wagateway.sandbox.WebhookSink.Delivery;
import wagateway.support.Hmac;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The webhooks the sandbox sends: signed like Meta's, shaped field for field like the real samples
 * (fixtures/), statuses walking sent → delivered → read.
 */
@QuarkusTest
@TestProfile(SandboxTestProfile.class)
class SandboxWebhooksTest extends SandboxTestBase {

    /** Our inbound contacts carry the 2026 business-scoped user_id, which the older samples lack. */
    private static final String USER_ID = "entry[].changes[].value.contacts[].user_id";
    /** Only a sample of a parent business carries parent_user_id. */
    private static final String PARENT_USER_ID = "entry[].changes[].value.contacts[].parent_user_id";
    /** The 2026 business-scoped user id fields (issue 17) the older samples predate. */
    private static final String FROM_USER_ID = "entry[].changes[].value.messages[].from_user_id";
    private static final String RECIPIENT_USER_ID = "entry[].changes[].value.statuses[].recipient_user_id";
    private static final String STATUS_CONTACTS = "entry[].changes[].value.contacts";

    @Test
    void statusesWalkToReadSignedAndShapedLikeMeta() {
        String customer = newPhone();
        customerWrites(customer, "hi");
        String wamid = accepted("""
                {"messaging_product":"whatsapp","to":"%s","type":"text","text":{"body":"Hello"},
                 "biz_opaque_callback_data":"our-id-42"}""".formatted(customer));

        List<Delivery> statuses = Webhooks.awaitStatuses(wamid, 3);
        assertEquals(List.of("sent", "delivered", "read"), Webhooks.statusNamesOf(wamid));
        for (Delivery d : statuses) {
            assertTrue(Hmac.verify(SandboxTestProfile.APP_SECRET, d.body(), d.signature()), "signed with the app secret");
            assertFalse(Hmac.verify("another-secret", d.body(), d.signature()));
            assertEquals("our-id-42", d.status().path("biz_opaque_callback_data").asText());
            assertEquals(customer.substring(1), d.status().path("recipient_id").asText());
            assertEquals(MAIN_ID, d.value().path("metadata").path("phone_number_id").asText());
        }
        // pricing.type is the per-message-pricing field (PMP) the CBP-era sample predates;
        // biz_opaque_callback_data is only there when the send had it
        String opaque = "entry[].changes[].value.statuses[].biz_opaque_callback_data";
        JsonShape.assertSameShape(JsonShape.fixture("status-delivered-cbp.json"), statuses.get(0).json(),
                opaque, "entry[].changes[].value.statuses[].pricing.type", RECIPIENT_USER_ID, STATUS_CONTACTS);
        JsonShape.assertSameShape(JsonShape.fixture("status-delivered-cbp.json"), statuses.get(1).json(),
                opaque, "entry[].changes[].value.statuses[].pricing.type", RECIPIENT_USER_ID, STATUS_CONTACTS);
        JsonShape.assertSameShape(JsonShape.fixture("status-read-cbp.json"), statuses.get(2).json(), opaque,
                RECIPIENT_USER_ID, STATUS_CONTACTS);
        JsonNode pricing = statuses.get(1).status().path("pricing");
        assertEquals("PMP", pricing.path("pricing_model").asText());
        given().queryParam("to", customer).get("/sandbox/messages").then().body("[0].status", equalTo("read"));
    }

    @Test
    void aCustomerWhoDoesNotReadStopsAtDelivered() {
        String customer = newPhone();
        configureCustomer(customer, "{\"readsMessages\":false}");
        String wamid = accepted(templateBody(customer, "hello_world", 0));
        Webhooks.awaitStatus(wamid, "delivered");
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> !Webhooks.statusNamesOf(wamid).contains("read"));
        given().queryParam("to", customer).get("/sandbox/messages").then().body("[0].status", equalTo("delivered"));
    }

    @Test
    void aCustomerWithAUsernameIsKnownByUserIdOnlyAsMetaSendsIt() {
        String customer = newPhone();
        configureCustomer(customer, "{\"name\":\"Sheena Nelson\",\"username\":\"@realsheenanelson\"}");
        String wamid = customerWrites(customer, "Does it come in another color?");
        Delivery inbound = Webhooks.awaitInbound(wamid);
        JsonShape.assertSameShape(JsonShape.fixture("inbound-text-username-only.json"), inbound.json());
        assertEquals("", inbound.message().path("from").asText());
        String userId = inbound.message().path("from_user_id").asText();
        assertFalse(userId.isEmpty());

        // addressed by user id ("recipient"), its statuses carry it and withhold the phone
        String sent = accepted("""
                {"messaging_product":"whatsapp","recipient":"%s","type":"text","text":{"body":"Yes"}}"""
                .formatted(userId));
        List<Delivery> statuses = Webhooks.awaitStatuses(sent, 3);
        JsonShape.assertSameShape(JsonShape.fixture("status-delivered-bsuid.json"), statuses.get(1).json(),
                "entry[].changes[].value.statuses[].conversation");
        assertEquals("", statuses.get(1).status().path("recipient_id").asText());
        assertEquals(userId, statuses.get(1).status().path("recipient_user_id").asText());
    }

    @Test
    void inboundTextIsShapedLikeMeta() {
        String customer = newPhone();
        configureCustomer(customer, "{\"name\":\"Maria Silva\"}");
        String wamid = customerWrites(customer, "hi everyone!");
        Delivery inbound = Webhooks.awaitInbound(wamid);
        assertTrue(Hmac.verify(SandboxTestProfile.APP_SECRET, inbound.body(), inbound.signature()));
        JsonShape.assertSameShape(JsonShape.fixture("inbound-text.json"), inbound.json(), USER_ID, FROM_USER_ID);
        assertEquals("Maria Silva", inbound.value().path("contacts").path(0).path("profile").path("name").asText());
        assertEquals(customer.substring(1), inbound.message().path("from").asText());
        assertEquals("hi everyone!", inbound.message().path("text").path("body").asText());
        assertEquals("whatsapp_business_account", inbound.json().path("object").asText());
    }

    @Test
    void inboundButtonReplyIsShapedLikeMeta() {
        String customer = newPhone();
        String replyTo = accepted(templateBody(customer, "hello_world", 0));
        String wamid = given().contentType(ContentType.JSON)
                .body("{\"buttonReply\":{\"id\":\"confirm\",\"title\":\"Yes\"},\"context\":\"" + replyTo + "\"}")
                .when().post("/sandbox/customers/" + customer + "/messages")
                .then().statusCode(200).body("type", equalTo("interactive")).extract().path("id");
        Delivery inbound = Webhooks.awaitInbound(wamid);
        JsonShape.assertSameShape(JsonShape.fixture("inbound-interactive-button-reply.json"), inbound.json(), PARENT_USER_ID,
                FROM_USER_ID);
        assertEquals(replyTo, inbound.message().path("context").path("id").asText());
        assertEquals("confirm", inbound.message().path("interactive").path("button_reply").path("id").asText());
    }

    @Test
    void inboundListReplyCarriesTheRow() {
        String customer = newPhone();
        String wamid = given().contentType(ContentType.JSON)
                .body("{\"listReply\":{\"id\":\"slot-2\",\"title\":\"Tomorrow 10:00\",\"description\":\"Main street\"}}")
                .when().post("/sandbox/customers/" + customer + "/messages")
                .then().statusCode(200).extract().path("id");
        JsonNode message = Webhooks.awaitInbound(wamid).message();
        assertEquals("interactive", message.path("type").asText());
        assertEquals("list_reply", message.path("interactive").path("type").asText());
        JsonNode row = message.path("interactive").path("list_reply");
        assertEquals("slot-2", row.path("id").asText());
        assertEquals("Tomorrow 10:00", row.path("title").asText());
        assertEquals("Main street", row.path("description").asText());
    }

    @Test
    void inboundFromAnAdIsShapedLikeMeta() {
        String customer = newPhone();
        String wamid = given().contentType(ContentType.JSON).body("{\"text\":\"I saw your ad\",\"referral\":true}")
                .when().post("/sandbox/customers/" + customer + "/messages")
                .then().statusCode(200).extract().path("id");
        Delivery inbound = Webhooks.awaitInbound(wamid);
        JsonShape.assertSameShape(JsonShape.fixture("inbound-referral-click-to-whatsapp-ad.json"), inbound.json(),
                PARENT_USER_ID, FROM_USER_ID);
        assertFalse(inbound.message().path("referral").path("ctwa_clid").asText().isEmpty());
    }
}
