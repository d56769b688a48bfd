package wagateway.sandbox;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The one profile of every sandbox test (Quarkus starts once for all of them): the sandbox's webhooks go
 * to the test-only {@link WebhookSink}; small limits keep limit tests short.
 */
public class SandboxTestProfile implements QuarkusTestProfile {

    /** Fixed for this JVM so the webhook URL can name it before Quarkus starts. */
    static final int PORT = freePort();
    static final int MESSAGES_PER_SECOND = 5;
    static final String APP_SECRET = "test-app-secret";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.http.test-port", String.valueOf(PORT),
                "gateway.sandbox.webhook-url", "http://localhost:" + PORT + WebhookSink.PATH,
                "gateway.sandbox.messages-per-second", String.valueOf(MESSAGES_PER_SECOND),
                "gateway.sandbox.status-delay", "PT0.1S",
                // the timeout fault holds an answer for this + 1 s
                "gateway.cloud-api.timeout", "PT1S",
                "gateway.sandbox.faults.seed", "42");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
