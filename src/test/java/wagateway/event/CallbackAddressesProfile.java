package wagateway.event;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Production's callback address rules in a test: loopback is not allowed (dev and test allow it), except the one
 * host and port listed in {@code allowed-hosts}, and a private address listed without a port.
 */
public class CallbackAddressesProfile implements QuarkusTestProfile {

    static final int ALLOWED_PORT = 4711;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("gateway.callbacks.allow-loopback", "false",
                "gateway.callbacks.allowed-hosts", "localhost:" + ALLOWED_PORT + ",10.9.8.7");
    }
}
