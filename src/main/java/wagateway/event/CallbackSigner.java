package wagateway.event;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import wagateway.config.GatewayConfig;
import wagateway.support.Hmac;

/**
 * Signs callback bodies: {@code X-Wagateway-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>}
 * with {@code gateway.callbacks.secret}, so the business can tell our callbacks from forgeries.
 */
@ApplicationScoped
public class CallbackSigner {

    public static final String HEADER = "X-Wagateway-Signature";

    private final Optional<String> secret;

    CallbackSigner(GatewayConfig config) {
        this.secret = config.callbacks().secret().filter(s -> !s.isBlank());
        if (secret.isEmpty()) {
            Log.warn("gateway.callbacks.secret is not set: no callback is sent (each attempt fails) until it is");
        }
    }

    /** @return the header value, empty when no secret is configured */
    public Optional<String> sign(byte[] body) {
        return secret.map(s -> Hmac.sign(s, body));
    }
}
