package wagateway.webhook;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.support.Hmac;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static wagateway.webhook.MetaWebhooks.freshWaId;
import static wagateway.webhook.MetaWebhooks.freshWamid;
import static wagateway.webhook.MetaWebhooks.retargeted;

@QuarkusTest
class WhatsAppWebhookResourceTest {

    @Test
    void echoesTheChallengeAsTextPlainForOurToken() {
        given().queryParam("hub.mode", "subscribe").queryParam("hub.verify_token", "test-verify-token")
                .queryParam("hub.challenge", "1158201444")
                .when().get("/webhooks/whatsapp")
                .then().statusCode(200)
                .contentType("text/plain")
                .body(equalTo("1158201444"));
    }

    @Test
    void refusesTheHandshakeWithAWrongOrMissingToken() {
        given().queryParam("hub.mode", "subscribe").queryParam("hub.verify_token", "wrong").queryParam("hub.challenge", "1")
                .when().get("/webhooks/whatsapp")
                .then().statusCode(403).contentType("application/problem+json").body("status", equalTo(403));
        given().queryParam("hub.mode", "subscribe").queryParam("hub.challenge", "1")
                .when().get("/webhooks/whatsapp").then().statusCode(403);
        given().queryParam("hub.mode", "unsubscribe").queryParam("hub.verify_token", "test-verify-token")
                .queryParam("hub.challenge", "1")
                .when().get("/webhooks/whatsapp").then().statusCode(403);
    }

    @Test
    void refusesAMissingSignatureAndStoresNothing() {
        String wamid = freshWamid();
        String body = retargeted("inbound-text.json", freshWaId(), wamid).toString();
        long before = MetaWebhooks.lastInboxId();
        given().contentType("application/json").body(body)
                .when().post("/webhooks/whatsapp")
                .then().statusCode(401).contentType("application/problem+json").body("status", equalTo(401));
        assertNothingStoredSince(before, wamid);
    }

    @Test
    void refusesAWrongSignatureAndStoresNothing() {
        String wamid = freshWamid();
        String body = retargeted("inbound-text.json", freshWaId(), wamid).toString();
        long before = MetaWebhooks.lastInboxId();
        String otherSecret = Hmac.sign("not-the-app-secret", body.getBytes(StandardCharsets.UTF_8));
        given().contentType("application/json").header("X-Hub-Signature-256", otherSecret).body(body)
                .when().post("/webhooks/whatsapp").then().statusCode(401);
        // signed, then changed on the way
        given().contentType("application/json").header("X-Hub-Signature-256", MetaWebhooks.sign(body))
                .body(body.replace("hi everyone!", "hi everyone?"))
                .when().post("/webhooks/whatsapp").then().statusCode(401);
        given().contentType("application/json").header("X-Hub-Signature-256", "sha256=zz").body(body)
                .when().post("/webhooks/whatsapp").then().statusCode(401);
        assertNothingStoredSince(before, wamid);
    }

    @Test
    void answers400ToMalformedJsonWithAValidSignature() {
        long before = MetaWebhooks.lastInboxId();
        for (String body : new String[] { "{\"object\":\"whatsapp_business_account\",\"entry\":[", "not json", "",
                "[]", "\"text\"", "{} trailing" }) {
            MetaWebhooks.post(body).statusCode(400).contentType("application/problem+json").body("status", equalTo(400));
        }
        assertEquals(before, MetaWebhooks.lastInboxId());
    }

    @Test
    void storesTheExactBodyAndAnswers200() {
        String wamid = freshWamid();
        // Meta's own formatting (spaces, escaped slashes) is kept byte for byte.
        String body = retargeted("inbound-location.json", freshWaId(), wamid).toPrettyString()
                .replace("https://foursquare.com/v/", "https:\\/\\/foursquare.com\\/v\\/");
        long before = MetaWebhooks.lastInboxId();
        MetaWebhooks.post(body).statusCode(200);
        assertEquals(body, TestDb.value("select body from webhook_inbox where id > ? order by id limit 1", before));
    }

    @Test
    void acceptsAnyContentTypeMetaMightSend() {
        String body = retargeted("inbound-text.json", freshWaId(), freshWamid()).toString();
        given().contentType("application/json; charset=utf-8").header("X-Hub-Signature-256", MetaWebhooks.sign(body))
                .body(body).when().post("/webhooks/whatsapp").then().statusCode(200);
        given().contentType("text/plain").header("X-Hub-Signature-256", MetaWebhooks.sign(body))
                .body(body).when().post("/webhooks/whatsapp").then().statusCode(200);
    }

    private static void assertNothingStoredSince(long inboxId, String wamid) {
        assertEquals(inboxId, MetaWebhooks.lastInboxId());
        assertEquals(0L, TestDb.count("select count(*) from inbound_message where wamid = ?", wamid));
    }
}
