package wagateway.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import wagateway.config.GatewayConfig;
import wagateway.support.Hmac;

/**
 * Tells Meta's requests from forgeries: the {@code X-Hub-Signature-256} header (HMAC-SHA256 of the exact
 * request bytes with the app secret) and the verification handshake's token, both compared in constant
 * time. Without a configured secret or token nothing is accepted.
 */
@ApplicationScoped
public class WebhookSignatureVerifier {

    private final Optional<String> appSecret;
    private final Optional<String> verifyToken;

    @Inject
    WebhookSignatureVerifier(GatewayConfig config) {
        this(config.webhook().appSecret(), config.webhook().verifyToken());
    }

    WebhookSignatureVerifier(Optional<String> appSecret, Optional<String> verifyToken) {
        this.appSecret = appSecret.filter(s -> !s.isBlank());
        this.verifyToken = verifyToken.filter(s -> !s.isBlank());
    }

    /** @param header the {@code X-Hub-Signature-256} value ({@code sha256=<hex>}); null when absent */
    public boolean isAuthentic(byte[] body, String header) {
        return appSecret.isPresent() && header != null && Hmac.verify(appSecret.get(), body, header.trim());
    }

    /** Whether {@code hub.verify_token} of the handshake is ours. */
    public boolean isVerifyToken(String token) {
        return verifyToken.isPresent() && token != null && MessageDigest.isEqual(
                verifyToken.get().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }
}
