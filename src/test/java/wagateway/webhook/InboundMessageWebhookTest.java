package wagateway.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import wagateway.event.CallbackSink;
import wagateway.testsupport.TestClockProducer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static wagateway.webhook.MetaWebhooks.freshWaId;
import static wagateway.webhook.MetaWebhooks.freshWamid;
import static wagateway.webhook.MetaWebhooks.messages;
import static wagateway.webhook.MetaWebhooks.postApplied;
import static wagateway.webhook.MetaWebhooks.retargeted;

/** Customer messages from Meta: every fixture and every type, the window, keywords, duplicates. */
@QuarkusTest
class InboundMessageWebhookTest {

    @AfterEach
    void resetClock() {
        TestClockProducer.CLOCK.reset();
    }

    @Test
    void storesATextMessageOpensTheWindowAndTellsTheBusiness() {
        String waId = freshWaId();
        String wamid = freshWamid();
        ObjectNode payload = retargeted("inbound-text.json", waId, wamid);
        Instant sentAt = sentAt(payload);
        postApplied(payload);

        Map<String, Object> stored = inbound(wamid);
        assertEquals("text", stored.get("type"));
        assertEquals("+" + waId, stored.get("from_phone"));
        assertEquals("main", stored.get("sender"));
        assertEquals(MetaWebhooks.PHONE_NUMBER_ID, stored.get("phone_number_id"));
        assertEquals(sentAt, stored.get("sent_at"));
        assertEquals("hi everyone!", new JsonObject((String) stored.get("content")).getJsonObject("text").getString("body"));

        Map<String, Object> contact = contact("+" + waId);
        assertEquals("Mauricio Binda", contact.get("profile_name"));
        assertEquals(sentAt, contact.get("last_inbound_at"));
        assertEquals(sentAt.plus(Duration.ofHours(24)), contact.get("window_open_until"));
        assertEquals(false, contact.get("free_entry_point"));

        JsonObject event = receivedEvent(wamid);
        assertEquals("+" + waId, event.getString("from"));
        assertEquals("text", event.getString("messageType"));
        assertEquals("hi everyone!", event.getJsonObject("content").getString("body"));
        assertEquals("main", event.getString("sender"));
        assertEquals("Mauricio Binda", event.getString("profileName"));
        assertEquals(sentAt.toString(), event.getString("timestamp"));

        given().auth().oauth2("test-key").when().get("/v1/contacts/{phone}", "+" + waId)
                .then().statusCode(200)
                .body("windowOpenUntil", equalTo(sentAt.plus(Duration.ofHours(24)).toString()))
                .body("windowOpen", equalTo(true))
                .body("lastInboundAt", equalTo(sentAt.toString()));
        TestClockProducer.CLOCK.advance(Duration.ofHours(25));
        given().auth().oauth2("test-key").when().get("/v1/contacts/{phone}", "+" + waId)
                .then().statusCode(200).body("windowOpen", equalTo(false));
    }

    @Test
    void storesAnImageWithItsMediaId() {
        String wamid = freshWamid();
        postApplied(retargeted("inbound-image.json", freshWaId(), wamid));
        assertEquals("image", inbound(wamid).get("type"));
        JsonObject event = receivedEvent(wamid);
        assertEquals("8472976218001204", event.getJsonObject("content").getString("id"));
        assertEquals("image/jpeg", event.getJsonObject("content").getString("mime_type"));
    }

    @Test
    void storesALocation() {
        String wamid = freshWamid();
        postApplied(retargeted("inbound-location.json", freshWaId(), wamid));
        assertEquals("location", inbound(wamid).get("type"));
        assertEquals(-10.93941311633, receivedEvent(wamid).getJsonObject("content").getDouble("latitude"));
    }

    @Test
    void sendsATemplateQuickReplyToTheCallbackUrlOfTheMessageItAnswers() {
        String waId = freshWaId();
        String ourWamid = freshWamid();
        String url = CallbackSink.url("quick-reply");
        UUID ours = TestDb.insertOutbound("+" + waId, ourWamid, "read", url, "{\"campaign\":\"spring\"}");
        ObjectNode payload = retargeted("inbound-button-template-quick-reply.json", waId, freshWamid());
        ((ObjectNode) messages(payload).get(0).path("context")).put("id", ourWamid);
        String wamid = messages(payload).get(0).path("id").asText();
        postApplied(payload);

        Map<String, Object> stored = inbound(wamid);
        assertEquals("button", stored.get("type"));
        assertEquals(ourWamid, stored.get("context_wamid"));
        Map<String, Object> row = TestDb.row("select url, payload from event_outbox where type = 'message.received' "
                + "and payload->>'wamid' = ?", wamid);
        assertEquals(url, row.get("url"));
        JsonObject event = new JsonObject((String) row.get("payload"));
        assertEquals("SIM", event.getJsonObject("content").getString("payload"));
        assertEquals(ours.toString(), event.getJsonObject("inReplyTo").getString("messageId"));
        assertEquals("spring", event.getJsonObject("metadata").getString("campaign"));
        assertEquals(ourWamid, event.getJsonObject("context").getString("id"));
    }

    @Test
    void keepsTheBusinessScopedUserIdOfAnInteractiveReply() {
        String waId = freshWaId();
        String userId = "US." + UUID.randomUUID();
        String wamid = freshWamid();
        ObjectNode payload = retargeted("inbound-interactive-button-reply.json", waId, wamid);
        ((ObjectNode) MetaWebhooks.value(payload).path("contacts").get(0)).put("user_id", userId);
        postApplied(payload);

        assertEquals(userId, inbound(wamid).get("from_user_id"));
        assertEquals(userId, contact("+" + waId).get("user_id"));
        JsonObject event = receivedEvent(wamid);
        assertEquals(userId, event.getString("userId"));
        assertEquals("callback_data", event.getJsonObject("content").getJsonObject("button_reply").getString("id"));
        given().auth().oauth2("test-key").when().get("/v1/contacts/{phone}", "+" + waId)
                .then().statusCode(200).body("userId", equalTo(userId)).body("profileName", equalTo("Test Name"));
    }

    @Test
    void aClickToWhatsAppReferralOpensA72HourFreeEntryPointWindow() {
        String waId = freshWaId();
        String wamid = freshWamid();
        ObjectNode payload = retargeted("inbound-referral-click-to-whatsapp-ad.json", waId, wamid);
        Instant sentAt = sentAt(payload);
        postApplied(payload);

        assertEquals(true, inbound(wamid).get("free_entry_point"));
        assertEquals(sentAt.plus(Duration.ofHours(72)), contact("+" + waId).get("window_open_until"));
        assertEquals(true, contact("+" + waId).get("free_entry_point"));
        assertEquals("CTWA_CLID", receivedEvent(wamid).getJsonObject("referral").getString("ctwa_clid"));

        // A plain message an hour later does not shorten the longer window.
        TestClockProducer.CLOCK.advance(Duration.ofHours(1));
        postApplied(MetaWebhooks.text(waId, "thanks"));
        assertEquals(sentAt.plus(Duration.ofHours(72)), contact("+" + waId).get("window_open_until"));
        assertEquals(true, contact("+" + waId).get("free_entry_point"));
        given().auth().oauth2("test-key").when().get("/v1/contacts/{phone}", "+" + waId)
                .then().statusCode(200).body("freeEntryPoint", equalTo(true));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"video\",\"video\":{\"id\":\"v1\",\"mime_type\":\"video/mp4\",\"sha256\":\"x\"}}",
            "{\"type\":\"audio\",\"audio\":{\"id\":\"a1\",\"mime_type\":\"audio/ogg; codecs=opus\",\"voice\":true}}",
            "{\"type\":\"document\",\"document\":{\"id\":\"d1\",\"filename\":\"invoice.pdf\",\"mime_type\":\"application/pdf\"}}",
            "{\"type\":\"sticker\",\"sticker\":{\"id\":\"s1\",\"animated\":false,\"mime_type\":\"image/webp\"}}",
            "{\"type\":\"contacts\",\"contacts\":[{\"name\":{\"formatted_name\":\"Ana\"},\"phones\":[{\"phone\":\"+1 555\"}]}]}",
            "{\"type\":\"interactive\",\"interactive\":{\"type\":\"list_reply\",\"list_reply\":{\"id\":\"r1\",\"title\":\"Tomorrow\"}}}",
            "{\"type\":\"reaction\",\"reaction\":{\"message_id\":\"wamid.X\",\"emoji\":\"\\uD83D\\uDC4D\"}}",
            "{\"type\":\"order\",\"order\":{\"catalog_id\":\"c\",\"text\":\"t\",\"product_items\":[{\"product_retailer_id\":\"p\",\"quantity\":1}]}}",
            "{\"type\":\"system\",\"system\":{\"body\":\"User changed number\",\"wa_id\":\"491700000000\",\"type\":\"user_changed_number\"}}",
            "{\"type\":\"unsupported\",\"errors\":[{\"code\":131051,\"title\":\"Message type unknown\"}]}",
            "{\"type\":\"revoke\",\"revoke\":{\"original_message_id\":\"wamid.Y\"}}",
            "{\"type\":\"hologram\",\"hologram\":{\"depth\":3},\"brand_new_field\":true}" })
    void storesAndReportsEveryMessageType(String message) throws Exception {
        String waId = freshWaId();
        ObjectNode item = (ObjectNode) MetaWebhooks.JSON.readTree(message);
        String type = item.path("type").asText();
        ObjectNode payload = MetaWebhooks.inbound(waId, item);
        String wamid = messages(payload).get(0).path("id").asText();
        postApplied(payload);

        Map<String, Object> stored = inbound(wamid);
        assertEquals(type, stored.get("type"));
        JsonNode content = MetaWebhooks.JSON.readTree((String) stored.get("content"));
        assertEquals(item.path(type), content.path(type), "the whole message is kept");
        JsonObject event = receivedEvent(wamid);
        assertEquals(type, event.getString("messageType"));
        Object reported = event.getValue("content");
        assertEquals(item.has(type) ? item.path(type) : null,
                reported == null ? null : MetaWebhooks.JSON.readTree(io.vertx.core.json.Json.encode(reported)));
        if (item.has("errors")) {
            assertEquals(131051, event.getJsonArray("errors").getJsonObject(0).getInteger("code"));
        }
        // A system notice is not the customer writing: no window. A user_changed_number notice moves the contact
        // to the new number.
        String phone = "+" + (item.path("system").has("wa_id") ? item.path("system").path("wa_id").asText() : waId);
        Object window = contact(phone).get("window_open_until");
        assertEquals("system".equals(type), window == null, "window " + window);
    }

    @Test
    void appliesARedeliveredMessageOnce() {
        String waId = freshWaId();
        String wamid = freshWamid();
        ObjectNode payload = retargeted("inbound-text.json", waId, wamid);
        postApplied(payload);
        Object window = contact("+" + waId).get("window_open_until");
        TestClockProducer.CLOCK.advance(Duration.ofHours(2));
        postApplied(payload);

        assertEquals(1L, TestDb.count("select count(*) from inbound_message where wamid = ?", wamid));
        assertEquals(1L, TestDb.count("select count(*) from event_outbox where payload->>'wamid' = ?", wamid));
        assertEquals(window, contact("+" + waId).get("window_open_until"));
    }

    @Test
    void appliesEveryEntryAndMessageOfOnePost() {
        ObjectNode payload = retargeted("inbound-text.json", freshWaId(), freshWamid());
        ObjectNode secondEntry = retargeted("inbound-image.json", freshWaId(), freshWamid());
        // two messages in the first entry's change, one more change in a second entry
        ObjectNode extra = ((ObjectNode) messages(payload).get(0)).deepCopy();
        extra.put("id", freshWamid());
        messages(payload).add(extra);
        ((com.fasterxml.jackson.databind.node.ArrayNode) payload.path("entry")).add(secondEntry.path("entry").get(0));
        List<String> wamids = List.of(messages(payload).get(0).path("id").asText(), extra.path("id").asText(),
                messages(secondEntry).get(0).path("id").asText());
        postApplied(payload);

        for (String wamid : wamids) {
            assertNotNull(inbound(wamid), wamid);
            assertNotNull(receivedEvent(wamid), wamid);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "Stop", "párar", "CANCELAR", "baja", "  Sáir! ", "unsubscribe." })
    void anOptOutKeywordInAnyLanguageRecordsAnOptOut(String text) {
        String waId = freshWaId();
        ObjectNode payload = MetaWebhooks.text(waId, text);
        String wamid = messages(payload).get(0).path("id").asText();
        postApplied(payload);

        Map<String, Object> consent = TestDb.row("select status, scope, source, actor, evidence from consent_event "
                + "where phone = ?", "+" + waId);
        assertEquals(Map.of("status", "opted_out", "scope", "all", "source", "keyword", "actor", "whatsapp",
                "evidence", wamid), consent);
        assertEquals("opted_out", contact("+" + waId).get("consent_status"));
        // The message itself is still a message: stored and reported.
        assertNotNull(receivedEvent(wamid));
    }

    @Test
    void aConfiguredOptInKeywordOptsBackIn() {
        String waId = freshWaId();
        postApplied(MetaWebhooks.text(waId, "STOP"));
        TestClockProducer.CLOCK.advance(Duration.ofMinutes(5));
        postApplied(MetaWebhooks.text(waId, "Voltar!"));

        given().auth().oauth2("test-key").when().get("/v1/contacts/{phone}", "+" + waId)
                .then().statusCode(200)
                .body("consent.status", equalTo("opted_in"))
                .body("history", hasSize(2))
                .body("history[0].status", equalTo("opted_out"))
                .body("history[1].status", equalTo("opted_in"))
                .body("history[1].source", equalTo("keyword"));
    }

    @Test
    void aKeywordInsideASentenceIsJustAMessage() {
        String waId = freshWaId();
        postApplied(MetaWebhooks.text(waId, "please don't stop sending my order updates"));
        assertEquals(0L, TestDb.count("select count(*) from consent_event where phone = ?", "+" + waId));
        assertEquals("none", contact("+" + waId).get("consent_status"));
    }

    @Test
    void aMessageWithoutPhoneNumberIsKeyedOnTheBusinessScopedUserId() {
        String waId = freshWaId();
        String userId = "US." + UUID.randomUUID();
        ObjectNode first = retargeted("inbound-interactive-button-reply.json", waId, freshWamid());
        ((ObjectNode) MetaWebhooks.value(first).path("contacts").get(0)).put("user_id", userId);
        postApplied(first);
        Object firstWindow = contact("+" + waId).get("window_open_until");

        // From 2026 the phone fields may be empty: only the user id says who wrote.
        TestClockProducer.CLOCK.advance(Duration.ofHours(3));
        ObjectNode later = MetaWebhooks.text(waId, "STOP");
        ObjectNode message = (ObjectNode) messages(later).get(0);
        message.put("from", "").put("from_user_id", userId);
        ((ObjectNode) MetaWebhooks.value(later).path("contacts").get(0)).put("wa_id", "").put("user_id", userId);
        String wamid = message.path("id").asText();
        postApplied(later);

        Map<String, Object> stored = inbound(wamid);
        assertNull(stored.get("from_phone"));
        assertEquals(userId, stored.get("from_user_id"));
        assertTrue(((Instant) contact("+" + waId).get("window_open_until")).isAfter((Instant) firstWindow));
        assertEquals("opted_out", contact("+" + waId).get("consent_status"));
        assertEquals("+" + waId, receivedEvent(wamid).getString("from"));
    }

    @Test
    void aMessageFromNobodyWeKnowIsStillStoredAndReported() {
        ObjectNode payload = MetaWebhooks.text(freshWaId(), "hello");
        ObjectNode message = (ObjectNode) messages(payload).get(0);
        message.put("from", "").put("from_user_id", "US.unknown-" + UUID.randomUUID());
        ((ObjectNode) MetaWebhooks.value(payload).path("contacts").get(0)).put("wa_id", "");
        String wamid = message.path("id").asText();
        postApplied(payload);

        assertNull(inbound(wamid).get("from_phone"));
        JsonObject event = receivedEvent(wamid);
        assertNull(event.getString("from"));
        assertFalse(event.getString("userId").isEmpty());
    }

    static Map<String, Object> inbound(String wamid) {
        return TestDb.row("select * from inbound_message where wamid = ?", wamid);
    }

    static Map<String, Object> contact(String phone) {
        return TestDb.row("select * from contact where phone = ?", phone);
    }

    /** The payload of the one message.received event of this wamid. */
    static JsonObject receivedEvent(String wamid) {
        Map<String, Object> row = TestDb.row("select payload from event_outbox where type = 'message.received' "
                + "and payload->>'wamid' = ?", wamid);
        return row == null ? null : new JsonObject((String) row.get("payload"));
    }

    private static Instant sentAt(ObjectNode payload) {
        return Instant.ofEpochSecond(messages(payload).get(0).path("timestamp").asLong());
    }
}
