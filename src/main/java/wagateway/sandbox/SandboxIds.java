package wagateway.sandbox;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;

import wagateway.support.Hmac;

/** Ids shaped like Meta's: wamids, fbtrace ids, conversation ids, display numbers. */
final class SandboxIds {

    /** The WhatsApp Business Account every sandbox webhook comes from. */
    static final String WABA_ID = "100000000000000";

    private static final Random RANDOM = new SecureRandom();
    private static final char[] ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    private SandboxIds() {
    }

    /**
     * A wamid as Meta makes them: {@code wamid.} + base64 of a small protobuf naming the recipient and a
     * random message key ({@code wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEj...}).
     */
    static String wamid(String waId) {
        byte[] number = waId.getBytes(StandardCharsets.US_ASCII);
        byte[] key = new byte[9];
        RANDOM.nextBytes(key);
        byte[] hexKey = HexFormat.of().withUpperCase().formatHex(key).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x1C);
        out.write(0x18);
        out.write(number.length);
        out.writeBytes(number);
        out.writeBytes(new byte[] { 0x15, 0x02, 0x00, 0x11, 0x18, (byte) hexKey.length });
        out.writeBytes(hexKey);
        out.write(0x00);
        return "wamid." + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** Meta's opaque request trace id (23 characters). */
    static String fbtraceId() {
        StringBuilder id = new StringBuilder(23);
        for (int i = 0; i < 23; i++) {
            id.append(ALPHANUMERIC[RANDOM.nextInt(ALPHANUMERIC.length)]);
        }
        return id.toString();
    }

    /** A stable 32-hex conversation id per business number, customer and category. */
    static String conversationId(String phoneNumberId, String waId, String category) {
        return Hmac.sha256Hex(phoneNumberId + "/" + waId + "/" + category).substring(0, 32);
    }

    /** A made-up display number for a phone-number id (Meta's test numbers look like 1555xxxxxxx). */
    static String displayPhoneNumber(String phoneNumberId) {
        String digits = phoneNumberId.replaceAll("[^0-9]", "");
        String tail = digits.length() >= 7 ? digits.substring(digits.length() - 7) : "0".repeat(7 - digits.length()) + digits;
        return "1555" + tail;
    }

    /** A business-scoped user id (2026 usernames change) for a customer, stable per number. */
    static String userId(String waId) {
        return "US." + new BigInteger(1, Hmac.sha256(waId.getBytes(StandardCharsets.US_ASCII))).toString()
                .substring(0, 20);
    }
}
