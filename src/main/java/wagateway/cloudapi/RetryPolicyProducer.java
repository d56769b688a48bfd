package wagateway.cloudapi;

import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import wagateway.config.GatewayConfig;
import wagateway.support.Backoff;

/** The retry policy every Cloud API caller shares, from {@code gateway.dispatch.*}. */
class RetryPolicyProducer {

    /** A call the open breaker refused waits this long; it spent no attempt. */
    static final Duration BREAKER_WAIT = Duration.ofSeconds(5);

    @Produces
    @Singleton
    RetryPolicy retryPolicy(GatewayConfig config) {
        GatewayConfig.Dispatch d = config.dispatch();
        return new RetryPolicy(new Backoff(d.retryInitialBackoff(), d.retryMaxBackoff()), d.maxAttempts(), BREAKER_WAIT,
                d.authPause());
    }
}
