package wagateway.cloudapi.content;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The media table: Meta's limits per type, and the signatures that tell a real file from a renamed one. */
class MediaLimitsTest {

    @ParameterizedTest
    @CsvSource({ "image/jpeg,image,5242880", "image/png,image,5242880", "audio/ogg; codecs=opus,audio,16777216",
            "video/mp4,video,16777216", "video/3gpp,video,16777216", "application/pdf,document,104857600",
            "TEXT/PLAIN,document,104857600", "image/webp,sticker,512000" })
    void knowsMetasTypesAndLimits(String mime, String messageType, long max) {
        MediaLimits.Kind kind = MediaLimits.of(mime).orElseThrow();
        assertThat(kind.messageType()).isEqualTo(messageType);
        assertThat(kind.maxBytes()).isEqualTo(max);
    }

    @Test
    void refusesTypesTheCloudApiDoesNotTake() {
        assertThat(MediaLimits.of("application/zip")).isEmpty();
        assertThat(MediaLimits.of("image/gif")).isEmpty();
        assertThat(MediaLimits.of(null)).isEmpty();
    }

    @Test
    void aStaticStickerIsHeldTo100KibAndAnAnimatedOneTo500Kib() {
        MediaLimits.Kind webp = MediaLimits.of("image/webp").orElseThrow();
        byte[] lossless = head("RIFF\0\0\0\0WEBPVP8L");
        byte[] animated = head("RIFF\0\0\0\0WEBPVP8X\0\0\0\0");
        animated[20] = 0x02;
        assertThat(MediaLimits.maxBytes(webp, lossless, lossless.length)).isEqualTo(100 * 1024);
        assertThat(MediaLimits.maxBytes(webp, animated, animated.length)).isEqualTo(500 * 1024);
    }

    @Test
    void theFirstBytesMustMatchTheDeclaredType() {
        byte[] exe = head("MZ\u0090\0\3\0\0\0");
        byte[] pdf = head("%PDF-1.7\n");
        byte[] mp4 = head("\0\0\0\u0020ftypisom");
        assertThat(MediaLimits.signatureMatches(MediaLimits.of("image/jpeg").orElseThrow(), exe, exe.length)).isFalse();
        assertThat(MediaLimits.signatureMatches(MediaLimits.of("text/plain").orElseThrow(), exe, exe.length)).isFalse();
        assertThat(MediaLimits.signatureMatches(MediaLimits.of("application/pdf").orElseThrow(), pdf, pdf.length)).isTrue();
        assertThat(MediaLimits.signatureMatches(MediaLimits.of("image/png").orElseThrow(), pdf, pdf.length)).isFalse();
        assertThat(MediaLimits.signatureMatches(MediaLimits.of("video/mp4").orElseThrow(), mp4, mp4.length)).isTrue();
        byte[] text = head("Hello, this is plain text");
        assertThat(MediaLimits.signatureMatches(MediaLimits.of("text/plain").orElseThrow(), text, text.length)).isTrue();
        assertThat(MediaLimits.signatureMatches(MediaLimits.of("text/plain").orElseThrow(), new byte[0], 0)).isFalse();
    }

    @Test
    void describesLimitsInBinaryUnits() {
        assertThat(MediaLimits.describe(5L * 1024 * 1024)).isEqualTo("5 MiB");
        assertThat(MediaLimits.describe(100 * 1024)).isEqualTo("100 KiB");
        assertThat(MediaLimits.largestMax()).isEqualTo(100L * 1024 * 1024);
    }

    private static byte[] head(String latin1) {
        byte[] bytes = latin1.getBytes(StandardCharsets.ISO_8859_1);
        return Arrays.copyOf(bytes, Math.max(bytes.length, 21));
    }
}
