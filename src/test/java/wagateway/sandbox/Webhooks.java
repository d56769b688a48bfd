package wagateway.sandbox;

import java.time.Duration;
import java.util.List;

import wagateway.sandbox.WebhookSink.Delivery;

import static org.awaitility.Awaitility.await;

/** Waits for the sandbox's webhooks in the {@link WebhookSink} (Awaitility, never sleeps). */
final class Webhooks {

    static final Duration WAIT = Duration.ofSeconds(10);

    private Webhooks() {
    }

    static void clear() {
        WebhookSink.RECEIVED.clear();
    }

    /** Every status webhook for this wamid, in arrival order. */
    static List<Delivery> statusesOf(String wamid) {
        return WebhookSink.RECEIVED.stream().filter(d -> wamid.equals(d.status().path("id").asText())).toList();
    }

    static List<String> statusNamesOf(String wamid) {
        return statusesOf(wamid).stream().map(d -> d.status().path("status").asText()).toList();
    }

    static Delivery awaitStatus(String wamid, String status) {
        return await().atMost(WAIT).until(() -> statusesOf(wamid).stream()
                .filter(d -> status.equals(d.status().path("status").asText())).findFirst().orElse(null),
                d -> d != null);
    }

    /** Waits until {@code count} status webhooks for this wamid have arrived. */
    static List<Delivery> awaitStatuses(String wamid, int count) {
        return await().atMost(WAIT).until(() -> statusesOf(wamid), list -> list.size() >= count);
    }

    static Delivery awaitInbound(String wamid) {
        return await().atMost(WAIT).until(() -> WebhookSink.RECEIVED.stream()
                .filter(d -> wamid.equals(d.message().path("id").asText())).findFirst().orElse(null), d -> d != null);
    }
}
