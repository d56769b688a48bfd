package wagateway.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import wagateway.config.GatewayConfig;
import wagateway.support.Hmac;

/**
 * The configured API keys, kept only as SHA-256 digests. A presented key is hashed and compared with
 * every configured digest in constant time, so neither timing nor logs reveal a key.
 */
@ApplicationScoped
public class ApiKeys {

    private final List<byte[]> digests;

    ApiKeys(GatewayConfig config) {
        this.digests = config.api().keys().orElse(List.of()).stream()
                .map(String::trim).filter(k -> !k.isEmpty())
                .map(k -> Hmac.sha256(k.getBytes(StandardCharsets.UTF_8)))
                .toList();
    }

    /**
     * @return the key's fingerprint (first 16 hex digits of its SHA-256; scopes idempotency keys and
     *         appears in audit trails) when the key is valid
     */
    public Optional<String> authenticate(String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty()) {
            return Optional.empty();
        }
        byte[] presented = Hmac.sha256(presentedKey.getBytes(StandardCharsets.UTF_8));
        boolean match = false;
        for (byte[] digest : digests) {
            // no early exit: every configured key is compared
            match |= MessageDigest.isEqual(digest, presented);
        }
        return match ? Optional.of(HexFormat.of().formatHex(presented, 0, 8)) : Optional.empty();
    }
}
