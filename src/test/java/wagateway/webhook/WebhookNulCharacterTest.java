package wagateway.webhook;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static wagateway.webhook.MetaWebhooks.freshWaId;
import static wagateway.webhook.MetaWebhooks.freshWamid;
import static wagateway.webhook.MetaWebhooks.messages;
import static wagateway.webhook.MetaWebhooks.postApplied;

/**
 * A NUL character in a webhook string (JSON allows it, PostgreSQL's jsonb does not) used to make the whole
 * stored webhook fail to apply, with every other message in it.
 */
@QuarkusTest
class WebhookNulCharacterTest {

    @Test
    void aMessageWithANulIsAppliedAndSoIsItsNeighbour() {
        String first = freshWaId();
        String second = freshWaId();
        ObjectNode payload = MetaWebhooks.text(first, "before\u0000after");
        ((ObjectNode) messages(payload).get(0)).put("id", freshWamid());
        ObjectNode neighbour = ((ObjectNode) MetaWebhooks.text(second, "hello").path("entry").get(0).path("changes").get(0)
                .path("value").path("messages").get(0)).deepCopy();
        neighbour.put("id", freshWamid());
        messages(payload).add(neighbour);
        String nulWamid = messages(payload).get(0).path("id").asText();
        String neighbourWamid = neighbour.path("id").asText();

        postApplied(payload);

        var stored = InboundMessageWebhookTest.inbound(nulWamid);
        assertNotNull(stored);
        assertEquals("before\uFFFDafter",
                new JsonObject((String) stored.get("content")).getJsonObject("text").getString("body"));
        assertNotNull(InboundMessageWebhookTest.inbound(neighbourWamid));
        assertNotNull(InboundMessageWebhookTest.receivedEvent(neighbourWamid));
        assertNotNull(InboundMessageWebhookTest.receivedEvent(nulWamid));
    }
}
