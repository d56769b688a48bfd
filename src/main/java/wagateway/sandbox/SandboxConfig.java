package wagateway.sandbox;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every {@code gateway.sandbox.*} setting (docs/sandbox.md "Configuration"; the names are public). Only the
 * builds that carry the simulator (dev, test, sandbox) have this mapping: Quarkus registers a mapping only when
 * a bean it keeps injects it, and every bean that does is {@code @IfBuildProfile}, so the production build has
 * neither (the annotation here states the same intent; build profiles do not act on mappings). The production
 * build refuses to start when such a setting is given ({@code wagateway.config.SandboxSettingsRefusal}). The
 * sandbox also reuses {@code gateway.senders.*}, {@code gateway.webhook.app-secret}, {@code gateway.cloud-api.timeout}
 * and {@code gateway.default-sender} from {@link wagateway.config.GatewayConfig}.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ConfigMapping(prefix = "gateway.sandbox")
public interface SandboxConfig {

    /** Serve the simulator under /sandbox; false answers 404 there (the beans still exist in this build). */
    @WithDefault("true")
    boolean enabled();

    /** Where the sandbox delivers Meta-style webhooks: the gateway's own endpoint by default. */
    @WithDefault("http://localhost:${quarkus.http.port}/webhooks/whatsapp")
    String webhookUrl();

    /**
     * Base URL of the gateway whose public API the console reads ({@code GET /v1/messages?to=}) to show what the
     * gateway did not send (refusals, retries). Absent: the console shows the sandbox's side only.
     */
    Optional<String> gatewayUrl();

    /** An API key of that gateway ({@code gateway.api.keys}); a secret, never logged. */
    Optional<String> gatewayApiKey();

    /** Throughput the sandbox enforces per phone number (130429 above it). */
    @WithDefault("80")
    int messagesPerSecond();

    /** Pair-rate spacing the sandbox enforces (131056 under it). */
    @WithDefault("PT6S")
    Duration pairInterval();

    /** Reject free-form outside the window synchronously (true) or accept then fail by webhook as Meta does. */
    @WithDefault("false")
    boolean windowErrorSync();

    /** Delay before the sandbox reports sent / delivered / read. */
    @WithDefault("PT0.05S")
    Duration statusDelay();

    /** Fault injection at start; {@code PUT /sandbox/faults} changes the knobs at run time. All off by default. */
    Faults faults();

    interface Faults {
        /** Seed of the fault dice, so a run can be replayed; a random seed when absent. */
        Optional<Long> seed();

        /** Shortest extra latency of a Graph API answer. */
        @WithDefault("PT0S")
        Duration latencyMin();

        /** Longest extra latency of a Graph API answer (uniform between min and max; equal values = fixed). */
        @WithDefault("PT0S")
        Duration latencyMax();

        /**
         * Probability (0..1) per Cloud API error code, or per HTTP 5xx status, that a valid send answers
         * with it: {@code gateway.sandbox.faults.error-rates."131000"=0.2}.
         */
        Map<String, Double> errorRates();

        /** Probability that the connection is closed without an answer. */
        @WithDefault("0")
        double connectionResetRate();

        /** Probability that no answer comes within gateway.cloud-api.timeout (the connection is closed after it). */
        @WithDefault("0")
        double timeoutRate();

        /** Probability that a webhook is delivered twice, as Meta's retries do. */
        @WithDefault("0")
        double duplicateWebhookRate();

        /** Probability that a message's status webhooks arrive in reverse order. */
        @WithDefault("0")
        double outOfOrderRate();

        /** Extra delay added to every webhook delivery. */
        @WithDefault("PT0S")
        Duration webhookDelay();
    }
}
