package wagateway.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * Small valid files for customers who "send" media without giving bytes. Images and PDF are real files
 * (a 2×2 green PNG / JPEG, a one-page PDF, a 1×1 WebP); audio and video carry a valid header only (enough
 * for type checks, not for a player). A requested size is reached by padding after the file's end marker,
 * which readers ignore, with pseudo-random bytes (so nothing compresses it away in transit).
 */
final class SampleMedia {

    private static final Base64.Decoder B64 = Base64.getDecoder();

    private static final Map<String, byte[]> SAMPLES = Map.ofEntries(
            Map.entry("image/png", B64.decode(
                    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAADklEQVR4XmNQvZzGAAcAEDUBX+QTNMQAAAAASUVORK5CYII=")),
            Map.entry("image/jpeg", B64.decode(
                    "/9j/4AAQSkZJRgABAgAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAACAAIDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDwGSR5pXlldnkdizOxyWJ6knuaKKKS2Jh8KP/Z")),
            Map.entry("image/webp", B64.decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")),
            Map.entry("application/pdf", ("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                    + "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                    + "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
                    + "trailer<</Root 1 0 R>>\n%%EOF\n").getBytes(StandardCharsets.US_ASCII)),
            Map.entry("text/plain", "Sandbox document\n".getBytes(StandardCharsets.US_ASCII)),
            Map.entry("audio/ogg", header("OggS", 0)),
            Map.entry("audio/mpeg", header("ID3", 0)),
            Map.entry("audio/amr", header("#!AMR\n", 0)),
            Map.entry("audio/aac", new byte[] { (byte) 0xFF, (byte) 0xF1, 0x50, (byte) 0x80, 0, 0x1F, (byte) 0xFC }),
            Map.entry("audio/mp4", header("ftypM4A ", 4)),
            Map.entry("video/mp4", header("ftypisom", 4)),
            Map.entry("video/3gpp", header("ftyp3gp4", 4)));

    /** The default MIME type per message type when a customer names only the type. */
    static final Map<String, String> DEFAULT_MIME = Map.of("image", "image/jpeg", "video", "video/mp4", "audio",
            "audio/ogg", "document", "application/pdf", "sticker", "image/webp");

    private SampleMedia() {
    }

    static boolean canGenerate(String mimeType) {
        return SAMPLES.containsKey(mimeType);
    }

    /** A file of this type, padded to {@code size} bytes when that is larger than the sample. */
    static byte[] generate(String mimeType, long size) {
        byte[] sample = SAMPLES.get(mimeType);
        if (size <= sample.length) {
            return sample.clone();
        }
        byte[] file = Arrays.copyOf(sample, Math.toIntExact(size));
        boolean text = mimeType.equals("text/plain");
        long x = 0x9E3779B97F4A7C15L;
        for (int i = sample.length; i < file.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            file[i] = text ? (byte) ('a' + (int) ((x >>> 1) % 26)) : (byte) x;
        }
        return file;
    }

    private static byte[] header(String ascii, int at) {
        byte[] h = new byte[32];
        if (at == 4) {
            h[3] = 0x20;
        }
        byte[] text = ascii.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, h, at, text.length);
        return h;
    }
}
