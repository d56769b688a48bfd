package wagateway.sandbox;

import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The sandbox's run-time knobs, as {@code GET/PUT /sandbox/faults} show and take them. In a PUT, an
 * absent field takes its configured default ({@code gateway.sandbox.*}), so {@code {}} restores the
 * configuration. Rates are probabilities from 0 to 1.
 *
 * @param latencyMinMs shortest extra latency of a Graph API answer
 * @param latencyMaxMs longest one (uniform in between; equal = fixed)
 * @param errorRates probability per Cloud API code or HTTP 5xx status ({@code {"131000":0.2,"500":0.1}})
 * @param burst5xx the next N Graph API requests answer HTTP 503 (GET shows how many remain)
 * @param connectionResetRate probability that the connection is closed without an answer
 * @param timeoutRate probability that no answer comes within gateway.cloud-api.timeout
 * @param duplicateWebhookRate probability that a webhook is delivered twice
 * @param outOfOrderRate probability that a message's statuses arrive in reverse order
 * @param webhookDelayMs extra delay before every webhook delivery
 * @param windowErrorSync free-form outside the window: HTTP 400 131047 (true) or accepted then failed (false)
 * @param seed reseeds the fault dice when given
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record FaultSettings(Long latencyMinMs, Long latencyMaxMs, Map<String, Double> errorRates, Integer burst5xx,
        Double connectionResetRate, Double timeoutRate, Double duplicateWebhookRate, Double outOfOrderRate,
        Long webhookDelayMs, Boolean windowErrorSync, Long seed) {

    /** These settings with every absent field taken from {@code defaults}. */
    FaultSettings withDefaults(FaultSettings defaults) {
        return new FaultSettings(
                latencyMinMs != null ? latencyMinMs : defaults.latencyMinMs,
                latencyMaxMs != null ? latencyMaxMs : defaults.latencyMaxMs,
                new TreeMap<>(errorRates != null ? errorRates : defaults.errorRates),
                burst5xx != null ? burst5xx : defaults.burst5xx,
                connectionResetRate != null ? connectionResetRate : defaults.connectionResetRate,
                timeoutRate != null ? timeoutRate : defaults.timeoutRate,
                duplicateWebhookRate != null ? duplicateWebhookRate : defaults.duplicateWebhookRate,
                outOfOrderRate != null ? outOfOrderRate : defaults.outOfOrderRate,
                webhookDelayMs != null ? webhookDelayMs : defaults.webhookDelayMs,
                windowErrorSync != null ? windowErrorSync : defaults.windowErrorSync,
                seed != null ? seed : defaults.seed);
    }

    FaultSettings withBurst(int remaining) {
        return new FaultSettings(latencyMinMs, latencyMaxMs, errorRates, remaining, connectionResetRate, timeoutRate,
                duplicateWebhookRate, outOfOrderRate, webhookDelayMs, windowErrorSync, seed);
    }
}
