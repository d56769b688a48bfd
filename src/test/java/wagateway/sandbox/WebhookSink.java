package wagateway.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestHeader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Test-only receiver of the sandbox's webhooks: records the exact bytes and the signature header. */
@Path(WebhookSink.PATH)
public class WebhookSink {

    static final String PATH = "/test/webhook-sink";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final List<Delivery> RECEIVED = new CopyOnWriteArrayList<>();

    /** One webhook as it arrived. */
    public record Delivery(byte[] body, String signature, JsonNode json) {

        /** {@code entry[0].changes[0].value}. */
        JsonNode value() {
            return json.path("entry").path(0).path("changes").path(0).path("value");
        }

        JsonNode status() {
            return value().path("statuses").path(0);
        }

        JsonNode message() {
            return value().path("messages").path(0);
        }
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public void receive(byte[] body, @RestHeader("X-Hub-Signature-256") String signature) {
        try {
            RECEIVED.add(new Delivery(body, signature, MAPPER.readTree(body)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
