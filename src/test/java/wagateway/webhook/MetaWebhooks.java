package wagateway.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.restassured.response.ValidatableResponse;
import wagateway.support.Hmac;
import wagateway.testsupport.TestClockProducer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * Meta's webhook as tests send it: the real fixtures from {@code src/test/resources/fixtures}, retargeted to
 * the test sender, a fresh customer number and fresh wamids, timestamped by the test clock, and signed with
 * the test app secret.
 */
public final class MetaWebhooks {

    public static final String APP_SECRET = "test-app-secret";
    public static final String PHONE_NUMBER_ID = "100000000000001";
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong NUMBERS = new AtomicLong(ThreadLocalRandom.current().nextLong(100_000_000L, 900_000_000L));

    private MetaWebhooks() {
    }

    /** A customer number nobody else uses in this run, as Meta writes it (no '+'). */
    public static String freshWaId() {
        return "4917" + NUMBERS.incrementAndGet();
    }

    public static String freshWamid() {
        return "wamid.TEST" + UUID.randomUUID().toString().replace("-", "");
    }

    public static ObjectNode fixture(String name) {
        try (InputStream in = MetaWebhooks.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No fixture " + name);
            }
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Points a fixture at the test sender and at {@code waId}; every message and status gets {@code wamid}
     * (callers with several items set their own afterwards) and the test clock's time.
     */
    public static ObjectNode retarget(ObjectNode payload, String waId, String wamid) {
        long now = TestClockProducer.CLOCK.instant().getEpochSecond();
        for (JsonNode entry : payload.path("entry")) {
            for (JsonNode change : entry.path("changes")) {
                ObjectNode value = (ObjectNode) change.path("value");
                ((ObjectNode) value.path("metadata")).put("phone_number_id", PHONE_NUMBER_ID);
                value.path("contacts").forEach(c -> ((ObjectNode) c).put("wa_id", waId));
                value.path("messages").forEach(m -> ((ObjectNode) m).put("from", waId).put("id", wamid)
                        .put("timestamp", String.valueOf(now)));
                value.path("statuses").forEach(s -> ((ObjectNode) s).put("recipient_id", waId).put("id", wamid)
                        .put("timestamp", String.valueOf(now)));
                value.path("user_preferences").forEach(p -> ((ObjectNode) p).put("wa_id", waId).put("timestamp", now));
            }
        }
        return payload;
    }

    public static ObjectNode retargeted(String fixture, String waId, String wamid) {
        return retarget(fixture(fixture), waId, wamid);
    }

    /** The first change's value: where tests add or replace messages and statuses. */
    public static ObjectNode value(ObjectNode payload) {
        return (ObjectNode) payload.path("entry").get(0).path("changes").get(0).path("value");
    }

    public static ArrayNode statuses(ObjectNode payload) {
        return (ArrayNode) value(payload).path("statuses");
    }

    public static ArrayNode messages(ObjectNode payload) {
        return (ArrayNode) value(payload).path("messages");
    }

    /** A status webhook for one of our messages ({@code status-delivered-cbp.json} reshaped). */
    public static ObjectNode status(String waId, String wamid, String status, Instant at) {
        ObjectNode payload = retargeted("status-delivered-cbp.json", waId, wamid);
        ObjectNode item = (ObjectNode) statuses(payload).get(0);
        item.put("status", status).put("timestamp", String.valueOf(at.getEpochSecond()));
        if (!"delivered".equals(status)) {
            item.remove("conversation");
            item.remove("pricing");
        }
        return payload;
    }

    /** An inbound message of any shape: {@code inbound-text.json} with its message replaced. */
    public static ObjectNode inbound(String waId, ObjectNode message) {
        ObjectNode payload = retargeted("inbound-text.json", waId, freshWamid());
        ObjectNode template = (ObjectNode) messages(payload).get(0);
        message.put("from", waId);
        if (!message.has("id")) {
            message.put("id", freshWamid());
        }
        if (!message.has("timestamp")) {
            message.set("timestamp", template.get("timestamp"));
        }
        messages(payload).removeAll().add(message);
        return payload;
    }

    public static ObjectNode text(String waId, String body) {
        ObjectNode message = JSON.createObjectNode().put("type", "text");
        message.putObject("text").put("body", body);
        return inbound(waId, message);
    }

    public static String sign(String body) {
        return Hmac.sign(APP_SECRET, body.getBytes(StandardCharsets.UTF_8));
    }

    /** POSTs a signed webhook; the caller asserts the answer. */
    public static ValidatableResponse post(String body) {
        return given().contentType("application/json").header("X-Hub-Signature-256", sign(body)).body(body)
                .when().post("/webhooks/whatsapp").then();
    }

    /**
     * POSTs a signed webhook, expects 200, and waits until it has been applied. The same bytes a second time
     * are a replay (not stored again): then only the 200 is awaited.
     */
    public static void postApplied(JsonNode payload) {
        String body = payload.toString();
        boolean seenBefore = seen(body);
        long before = lastInboxId();
        post(body).statusCode(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> TestDb.count(
                "select count(*) from webhook_inbox where id > ? and state <> 'applied'", before) == 0
                && (seenBefore || lastInboxId() > before));
    }

    /** Whether these exact bytes were received before (their digest is kept). */
    public static boolean seen(String body) {
        return TestDb.count("select count(*) from webhook_digest where digest = sha256(convert_to(?, 'UTF8'))",
                body) > 0;
    }

    public static long lastInboxId() {
        return TestDb.count("select coalesce(max(id), 0) from webhook_inbox");
    }
}
