package wagateway.conversation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;

/**
 * A keyset cursor over (time, tie-breaker) as an opaque string: the time of the last item of a page to the
 * microsecond (PostgreSQL's precision, so the next page starts exactly after it) and its id or phone.
 */
record Cursor(Instant at, String key) {

    String encode() {
        long micros = Math.multiplyExact(at.getEpochSecond(), 1_000_000L) + at.getNano() / 1_000;
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + "." + key).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when the text is not a cursor this API gave out */
    static Cursor decode(String text) {
        String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        int dot = plain.indexOf('.');
        if (dot < 1 || dot == plain.length() - 1) {
            throw new IllegalArgumentException("not a cursor");
        }
        long micros = Long.parseLong(plain.substring(0, dot));
        return new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L),
                plain.substring(dot + 1));
    }

    OffsetDateTime utc() {
        return at.atOffset(ZoneOffset.UTC);
    }
}
