package wagateway.cloudapi.content;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The media the Cloud API accepts: MIME type, message type, size limit and how the file's first bytes look.
 * One table, used by the gateway before it uploads and by the sandbox, which refuses what Meta refuses.
 *
 * <p>
 * Source: Meta, "Supported media types" (developers.facebook.com/docs/whatsapp/cloud-api/reference/media,
 * recorded in ../shared/reference/cloud-api.md §1 with the VTEX summary): image (jpeg, png) 5 MB; audio (aac,
 * amr, mpeg, mp4, ogg/opus) 16 MB; video (mp4, 3gpp) 16 MB; document (text, pdf, office) 100 MB; sticker (webp)
 * 100 KB static, 500 KB animated. Meta writes "MB"; we read it as MiB (1024 × 1024), the common reading of
 * its SDKs, so a file Meta would take is never refused here.
 *
 * <p>
 * The magic-byte check exists so that a renamed executable is refused before it is uploaded: the declared
 * type must agree with the file's signature. Text documents have no signature: they must not contain NUL bytes
 * in the first bytes (binary files nearly always do).
 */
public final class MediaLimits {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    /** How many leading bytes {@link #signatureMatches} needs to decide. */
    public static final int SNIFF_BYTES = 32;

    /** Static and animated stickers have different limits. */
    public static final long STICKER_STATIC_MAX = 100 * KIB;
    public static final long STICKER_ANIMATED_MAX = 500 * KIB;

    /** One accepted MIME type. {@code messageType} is the Cloud API message type it can be sent as. */
    public record Kind(String mimeType, String messageType, long maxBytes, Signature signature) {
    }

    /** A check of the first bytes of a file. */
    @FunctionalInterface
    public interface Signature {
        boolean matches(byte[] head, int length);
    }

    private static final Map<String, Kind> KINDS = new LinkedHashMap<>();

    static {
        add("image/jpeg", "image", 5 * MIB, prefix(0xFF, 0xD8, 0xFF));
        add("image/png", "image", 5 * MIB, prefix(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A));
        add("audio/aac", "audio", 16 * MIB, (h, n) -> adts(h, n) || ascii(h, n, 0, "ADIF"));
        add("audio/amr", "audio", 16 * MIB, (h, n) -> ascii(h, n, 0, "#!AMR"));
        add("audio/mpeg", "audio", 16 * MIB, (h, n) -> ascii(h, n, 0, "ID3") || mpegFrame(h, n));
        add("audio/mp4", "audio", 16 * MIB, MediaLimits::isoBaseMedia);
        add("audio/ogg", "audio", 16 * MIB, (h, n) -> ascii(h, n, 0, "OggS"));
        add("video/mp4", "video", 16 * MIB, MediaLimits::isoBaseMedia);
        add("video/3gpp", "video", 16 * MIB, MediaLimits::isoBaseMedia);
        add("text/plain", "document", 100 * MIB, MediaLimits::noNul);
        add("application/pdf", "document", 100 * MIB, (h, n) -> ascii(h, n, 0, "%PDF-"));
        Signature ole = prefix(0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1);
        Signature zip = prefix('P', 'K', 0x03, 0x04);
        add("application/msword", "document", 100 * MIB, ole);
        add("application/vnd.ms-excel", "document", 100 * MIB, ole);
        add("application/vnd.ms-powerpoint", "document", 100 * MIB, ole);
        add("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document", 100 * MIB, zip);
        add("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document", 100 * MIB, zip);
        add("application/vnd.openxmlformats-officedocument.presentationml.presentation", "document", 100 * MIB, zip);
        add("image/webp", "sticker", STICKER_ANIMATED_MAX, (h, n) -> ascii(h, n, 0, "RIFF") && ascii(h, n, 8, "WEBP"));
    }

    private MediaLimits() {
    }

    private static void add(String mime, String messageType, long max, Signature signature) {
        KINDS.put(mime, new Kind(mime, messageType, max, signature));
    }

    /** The kind of a declared MIME type (parameters such as {@code ; codecs=opus} and case ignored). */
    public static Optional<Kind> of(String mimeType) {
        return Optional.ofNullable(mimeType).map(MediaLimits::bare).map(KINDS::get);
    }

    /** {@code audio/ogg; codecs=opus} → {@code audio/ogg}. */
    public static String bare(String mimeType) {
        int semicolon = mimeType.indexOf(';');
        return (semicolon < 0 ? mimeType : mimeType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    public static List<String> supportedTypes() {
        return List.copyOf(KINDS.keySet());
    }

    /** The largest file any type allows: the upload route's body limit is derived from it. */
    public static long largestMax() {
        return KINDS.values().stream().mapToLong(Kind::maxBytes).max().orElseThrow();
    }

    /**
     * The limit for this very file: for webp stickers it depends on whether the file is animated (VP8X
     * header with the animation flag), which the first {@link #SNIFF_BYTES} bytes tell.
     */
    public static long maxBytes(Kind kind, byte[] head, int length) {
        if (kind.mimeType().equals("image/webp")) {
            boolean animated = ascii(head, length, 12, "VP8X") && length > 20 && (head[20] & 0x02) != 0;
            return animated ? STICKER_ANIMATED_MAX : STICKER_STATIC_MAX;
        }
        return kind.maxBytes();
    }

    /** Whether the file's first bytes look like the declared type. */
    public static boolean signatureMatches(Kind kind, byte[] head, int length) {
        return length > 0 && kind.signature().matches(head, length);
    }

    /** "5 MiB", "100 KiB": limits as the problem details show them. */
    public static String describe(long bytes) {
        return bytes % MIB == 0 ? bytes / MIB + " MiB" : bytes % KIB == 0 ? bytes / KIB + " KiB" : bytes + " bytes";
    }

    private static Signature prefix(int... bytes) {
        return (h, n) -> {
            if (n < bytes.length) {
                return false;
            }
            for (int i = 0; i < bytes.length; i++) {
                if ((h[i] & 0xFF) != bytes[i]) {
                    return false;
                }
            }
            return true;
        };
    }

    private static boolean ascii(byte[] h, int n, int at, String text) {
        if (n < at + text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (h[at + i] != (byte) text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** MP4 / 3GPP: an ISO base media file starts with a box whose type is {@code ftyp}. */
    private static boolean isoBaseMedia(byte[] h, int n) {
        return ascii(h, n, 4, "ftyp");
    }

    /** AAC in ADTS frames: 12-bit sync word 0xFFF, layer 00. */
    private static boolean adts(byte[] h, int n) {
        return n >= 2 && (h[0] & 0xFF) == 0xFF && (h[1] & 0xF6) == 0xF0;
    }

    /** MP3 without an ID3 tag: an 11-bit frame sync. */
    private static boolean mpegFrame(byte[] h, int n) {
        return n >= 2 && (h[0] & 0xFF) == 0xFF && (h[1] & 0xE0) == 0xE0 && !adts(h, n);
    }

    private static boolean noNul(byte[] h, int n) {
        for (int i = 0; i < n; i++) {
            if (h[i] == 0) {
                return false;
            }
        }
        return !Arrays.equals(Arrays.copyOf(h, Math.min(n, 2)), new byte[] { 'M', 'Z' });
    }
}
