package wagateway.webhook;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import wagateway.cloudapi.webhook.InboundMessage;
import wagateway.cloudapi.webhook.StatusUpdate;
import wagateway.cloudapi.webhook.WebhookBatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the real fixtures as they are (no Quarkus): every level is walked, nothing unknown throws. */
class WebhookPayloadReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsAFailedStatusWithItsError() {
        WebhookBatch batch = WebhookPayloadReader.read(MetaWebhooks.fixture("status-failed-131047.json"));
        StatusUpdate status = batch.statuses().get(0);
        assertEquals("failed", status.status());
        assertEquals("wamid.HBgNN5NzAzMDkTUyNzkzNhUEjA1MjUwNCAUIyNEYUQ0OTVGNTY0MwA=", status.wamid());
        assertEquals(Instant.ofEpochSecond(1682651887), status.timestamp());
        assertEquals("5511111111111", status.recipientId());
        assertEquals(131047, status.error().code());
        assertEquals("Re-engagement message", status.error().title());
        assertTrue(status.error().detail().startsWith("Message failed to send because more than 24 hours"));
    }

    @Test
    void readsPricingAndConversation() {
        StatusUpdate status = WebhookPayloadReader.read(MetaWebhooks.fixture("status-delivered-cbp.json")).statuses().get(0);
        assertEquals("CBP", status.pricing().path("pricing_model").asText());
        assertEquals("business_initiated", status.conversation().path("origin").path("type").asText());
        assertNull(status.error());
    }

    @Test
    void readsAnInboundMessageWithItsContact() {
        InboundMessage message = WebhookPayloadReader.read(MetaWebhooks.fixture("inbound-interactive-button-reply.json"))
                .messages().get(0);
        assertEquals("interactive", message.type());
        assertEquals("972987654321", message.from());
        assertEquals("US.13491208655302741918", message.fromUserId());
        assertEquals("Test Name", message.profileName());
        assertEquals("1122334455667", message.phoneNumberId());
        assertEquals("button_reply", message.content().path("type").asText());
        assertEquals("wamid.xyzxyz", message.contextWamid());
        assertFalse(message.freeEntryPoint());
    }

    @Test
    void recognisesAClickToWhatsAppReferral() {
        InboundMessage message = WebhookPayloadReader.read(MetaWebhooks.fixture("inbound-referral-click-to-whatsapp-ad.json"))
                .messages().get(0);
        assertTrue(message.freeEntryPoint());
        assertEquals("BODY", message.content().path("body").asText());
    }

    @Test
    void readsUserPreferences() {
        var preference = WebhookPayloadReader.read(MetaWebhooks.fixture("user-preferences-marketing-resume.json"))
                .userPreferences().get(0);
        assertEquals("16505551234", preference.waId());
        assertEquals("marketing_messages", preference.category());
        assertEquals("resume", preference.value());
        assertEquals(Instant.ofEpochSecond(1731705721), preference.timestamp());
    }

    @Test
    void walksEveryEntryChangeAndItem() throws Exception {
        JsonNode root = JSON.readTree("""
                {"entry":[
                  {"changes":[{"value":{"statuses":[{"id":"w1","status":"sent"},{"id":"w2","status":"read"}]}},
                              {"value":{"messages":[{"id":"m1","type":"text","text":{"body":"a"}}]}}]},
                  {"changes":[{"value":{"statuses":[{"id":"w3","status":"delivered"}],
                                        "messages":[{"id":"m2","type":"reaction","reaction":{"emoji":"x"}}],
                                        "errors":[{"code":131000,"title":"Something"}]}}]}]}""");
        WebhookBatch batch = WebhookPayloadReader.read(root);
        assertEquals(List.of("w1", "w2", "w3"), batch.statuses().stream().map(StatusUpdate::wamid).toList());
        assertEquals(List.of("m1", "m2"), batch.messages().stream().map(InboundMessage::wamid).toList());
        assertEquals(131000, batch.errors().get(0).code());
    }

    @Test
    void toleratesUnknownAndMalformedShapes() throws Exception {
        JsonNode root = JSON.readTree("""
                {"object":"whatsapp_business_account","future":1,"entry":[
                  {"changes":"nope"},
                  {"changes":[{"value":"nope"},{"value":{"statuses":[1,"x",{"status":"warning","timestamp":"soon"}],
                      "messages":[null,{"type":"hologram","hologram":{"depth":3},"from":""}]}}]},
                  "garbage"]}""");
        WebhookBatch batch = WebhookPayloadReader.read(root);
        assertEquals(1, batch.statuses().size());
        assertNull(batch.statuses().get(0).timestamp());
        assertNull(batch.statuses().get(0).wamid());
        assertEquals("hologram", batch.messages().get(0).type());
        assertNull(batch.messages().get(0).from());
        assertEquals(3, batch.messages().get(0).content().path("depth").asInt());
        assertTrue(WebhookPayloadReader.read(JSON.readTree("{}")).statuses().isEmpty());
    }

    @Test
    void keepsTheBusinessScopedUserIdWhenThePhoneIsEmpty() throws Exception {
        JsonNode root = JSON.readTree(
                """
                        {"entry":[{"changes":[{"value":{"contacts":[{"profile":{"name":"N"},"wa_id":"","user_id":"US.1"}],
                          "messages":[{"from":"","from_user_id":"US.1","id":"m","timestamp":"1","type":"text","text":{"body":"b"}}]}}]}]}""");
        InboundMessage message = WebhookPayloadReader.read(root).messages().get(0);
        assertNull(message.from());
        assertEquals("US.1", message.fromUserId());
        assertEquals("N", message.profileName());
    }
}
