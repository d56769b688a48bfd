package wagateway.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import wagateway.support.Hmac;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookSignatureVerifierTest {

    private static final byte[] BODY = "{\"object\":\"whatsapp_business_account\",\"entry\":[]}"
            .getBytes(StandardCharsets.UTF_8);
    private final WebhookSignatureVerifier verifier = new WebhookSignatureVerifier(Optional.of("app-secret"),
            Optional.of("verify-me"));

    @Test
    void acceptsTheHmacOfTheExactBytes() {
        assertTrue(verifier.isAuthentic(BODY, Hmac.sign("app-secret", BODY)));
    }

    @Test
    void acceptsUpperCaseHexAndSurroundingSpaces() {
        String signature = Hmac.sign("app-secret", BODY);
        assertTrue(verifier.isAuthentic(BODY, " sha256=" + signature.substring(7).toUpperCase() + " "));
    }

    @Test
    void refusesAnotherSecret() {
        assertFalse(verifier.isAuthentic(BODY, Hmac.sign("other-secret", BODY)));
    }

    @Test
    void refusesATamperedBody() {
        String signature = Hmac.sign("app-secret", BODY);
        byte[] tampered = "{\"object\":\"whatsapp_business_account\",\"entry\":[ ]}".getBytes(StandardCharsets.UTF_8);
        assertFalse(verifier.isAuthentic(tampered, signature));
    }

    @Test
    void refusesMissingAndMalformedHeaders() {
        String hex = Hmac.sign("app-secret", BODY).substring(7);
        assertFalse(verifier.isAuthentic(BODY, null));
        assertFalse(verifier.isAuthentic(BODY, ""));
        assertFalse(verifier.isAuthentic(BODY, hex));
        assertFalse(verifier.isAuthentic(BODY, "sha1=" + hex));
        assertFalse(verifier.isAuthentic(BODY, "sha256=not-hex"));
        assertFalse(verifier.isAuthentic(BODY, "sha256=" + hex.substring(2)));
    }

    @Test
    void refusesEverythingWithoutAConfiguredSecret() {
        var unconfigured = new WebhookSignatureVerifier(Optional.empty(), Optional.empty());
        assertFalse(unconfigured.isAuthentic(BODY, Hmac.sign("app-secret", BODY)));
        var blank = new WebhookSignatureVerifier(Optional.of(" "), Optional.of(""));
        assertFalse(blank.isAuthentic(BODY, Hmac.sign(" ", BODY)));
        assertFalse(blank.isVerifyToken(""));
    }

    @Test
    void checksTheVerifyToken() {
        assertTrue(verifier.isVerifyToken("verify-me"));
        assertFalse(verifier.isVerifyToken("verify-me "));
        assertFalse(verifier.isVerifyToken("other"));
        assertFalse(verifier.isVerifyToken(null));
    }
}
