package wagateway.sandbox;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;

/**
 * Rolls the fault dice. Settings start from {@code gateway.sandbox.faults.*} and change at run time
 * through {@code PUT /sandbox/faults}. A rate of 0 never fires and 1 always does, without consuming
 * randomness, so tests are deterministic; other rates draw from one seedable {@link Random}.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class FaultInjector {

    /** What happens to the HTTP exchange itself. */
    enum ConnectionFault {
        NONE,
        RESET,
        TIMEOUT
    }

    private final FaultSettings configured;
    private volatile FaultSettings current;
    private volatile Random random;
    private final AtomicInteger burstRemaining = new AtomicInteger();

    FaultInjector(SandboxConfig config) {
        SandboxConfig.Faults faults = config.faults();
        this.configured = new FaultSettings(faults.latencyMin().toMillis(), faults.latencyMax().toMillis(),
                new TreeMap<>(faults.errorRates()), 0, faults.connectionResetRate(), faults.timeoutRate(),
                faults.duplicateWebhookRate(), faults.outOfOrderRate(), faults.webhookDelay().toMillis(),
                config.windowErrorSync(), faults.seed().orElseGet(() -> new SecureRandom().nextLong()));
        reset();
    }

    /** The settings in force; {@code burst5xx} is what remains of the burst. */
    public FaultSettings settings() {
        return current.withBurst(burstRemaining.get());
    }

    /** Replaces the knobs; absent fields take their configured value. */
    public synchronized FaultSettings replace(FaultSettings given) {
        FaultSettings settings = given.withDefaults(configured);
        if (given.seed() != null || current == null) {
            random = new Random(settings.seed());
        }
        current = settings;
        burstRemaining.set(settings.burst5xx());
        return settings();
    }

    /** Back to the configuration, dice reseeded. */
    public synchronized void reset() {
        current = null;
        replace(new FaultSettings(null, null, null, null, null, null, null, null, null, null, null));
    }

    ConnectionFault connectionFault() {
        FaultSettings s = current;
        if (roll(s.connectionResetRate())) {
            return ConnectionFault.RESET;
        }
        return roll(s.timeoutRate()) ? ConnectionFault.TIMEOUT : ConnectionFault.NONE;
    }

    /** Whether this request falls in a 5xx burst (and uses one of it). */
    boolean takeBurst() {
        return burstRemaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    /** The first configured error code whose dice fire, in code order. */
    Optional<GraphError> injectedError() {
        for (Map.Entry<String, Double> rate : current.errorRates().entrySet()) {
            if (roll(rate.getValue())) {
                return GraphErrors.injectable(rate.getKey());
            }
        }
        return Optional.empty();
    }

    Duration latency() {
        FaultSettings s = current;
        long min = s.latencyMinMs();
        long max = Math.max(min, s.latencyMaxMs());
        return Duration.ofMillis(max == min ? min : min + (long) (random.nextDouble() * (max - min + 1)));
    }

    boolean duplicateWebhook() {
        return roll(current.duplicateWebhookRate());
    }

    boolean outOfOrder() {
        return roll(current.outOfOrderRate());
    }

    Duration webhookDelay() {
        return Duration.ofMillis(current.webhookDelayMs());
    }

    boolean windowErrorSync() {
        return current.windowErrorSync();
    }

    private boolean roll(double rate) {
        if (rate <= 0) {
            return false;
        }
        return rate >= 1 || random.nextDouble() < rate;
    }
}
