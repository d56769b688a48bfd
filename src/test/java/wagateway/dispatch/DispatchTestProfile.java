package wagateway.dispatch;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Small limits so the pipeline's rules show within seconds: a 3-recipient messaging limit, 20 mps. The pacing
 * tolerates a quarter second of arrival jitter here, not the production 40 ms: the sandbox shares this JVM, and
 * its timestamps, with the whole suite on a shared machine.
 */
public class DispatchTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "gateway.messaging-limit.daily-unique-recipients", "3",
                "gateway.senders.second.messages-per-second", "20",
                "gateway.dispatch.retry-initial-backoff", "PT0.2S",
                "gateway.dispatch.retry-max-backoff", "PT0.5S",
                "gateway.dispatch.poll-interval", "PT0.25S",
                "gateway.dispatch.auth-pause", "PT1H",
                "gateway.dispatch.rate-safety-margin", "PT0.25S");
    }
}
