package wagateway.media;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import io.smallrye.mutiny.Uni;
import io.vertx.core.file.OpenOptions;
import io.vertx.mutiny.core.Vertx;

/**
 * What the upload checks need from a spooled file, read once in chunks off the event loop's back
 * (Vert.x async file I/O): its first bytes (for the signature), its length and its SHA-256. The file is
 * never held whole in memory.
 *
 * @param head the first {@link wagateway.cloudapi.content.MediaLimits#SNIFF_BYTES} bytes (fewer if shorter)
 * @param sha256 base64, as Meta writes it
 */
record FileFacts(byte[] head, int headLength, long size, String sha256) {

    static Uni<FileFacts> read(Vertx vertx, String path, int headBytes) {
        return vertx.fileSystem().open(path, new OpenOptions().setRead(true)).chain(file -> {
            MessageDigest digest = newDigest();
            byte[] head = new byte[headBytes];
            long[] size = { 0 };
            return file.toMulti().onItem().invoke(chunk -> {
                byte[] bytes = chunk.getBytes();
                if (size[0] < headBytes) {
                    int n = (int) Math.min(bytes.length, headBytes - size[0]);
                    System.arraycopy(bytes, 0, head, (int) size[0], n);
                }
                size[0] += bytes.length;
                digest.update(bytes);
            }).collect().last().eventually(file::close)
                    .map(ignored -> new FileFacts(head, (int) Math.min(size[0], headBytes), size[0],
                            Base64.getEncoder().encodeToString(digest.digest())));
        });
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
