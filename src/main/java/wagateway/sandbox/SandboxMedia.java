package wagateway.sandbox;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One media file the sandbox holds: uploaded by the business or sent by a customer. The bytes stay in
 * memory (the store is bounded). The fault fields are set through {@code PUT /sandbox/media/{id}/faults}.
 */
final class SandboxMedia {

    final String id;
    final String phoneNumberId;
    final String mimeType;
    final byte[] bytes;
    /** Base64 SHA-256 of the bytes, as Meta writes it in webhooks and in {@code GET /{media-id}}. */
    final String sha256;
    final String filename;
    /** {@code inbound} (a customer sent it) or {@code uploaded} (the business did). */
    final String origin;
    final Instant createdAt;
    volatile Instant expiresAt;
    /** Serve one byte flipped: the downloader's checksum must catch it. */
    volatile boolean corrupt;
    /** Stop serving after this many bytes until {@link #release} completes; -1 = never stall. */
    volatile long stallAfterBytes = -1;
    volatile CompletableFuture<Void> release = CompletableFuture.completedFuture(null);

    SandboxMedia(String id, String phoneNumberId, String mimeType, byte[] bytes, String sha256, String filename,
            String origin, Instant createdAt, Instant expiresAt) {
        this.id = id;
        this.phoneNumberId = phoneNumberId;
        this.mimeType = mimeType;
        this.bytes = bytes;
        this.sha256 = sha256;
        this.filename = filename;
        this.origin = origin;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
    }

    boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** What the control API shows: everything but the bytes. */
    MediaView view(Instant now) {
        return new MediaView(id, phoneNumberId, mimeType, bytes.length, sha256, filename, origin, createdAt.toString(),
                expiresAt.toString(), expired(now), corrupt, stallAfterBytes < 0 ? null : stallAfterBytes);
    }

    /** A media file as {@code GET /sandbox/media} lists it. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MediaView(String id, String phoneNumberId, String mimeType, long size, String sha256, String filename,
            String origin, String createdAt, String expiresAt, boolean expired, boolean corrupt, Long stallAfterBytes) {
    }

    /**
     * Body of {@code PUT /sandbox/media/{id}/faults}; absent fields are left as they are.
     *
     * @param corrupt serve the bytes with one byte changed (the sha256 no longer matches)
     * @param expired the id has expired: Graph answers as for an unknown object
     * @param stallAfterBytes downloads stop after this many bytes until {@code POST /sandbox/media/{id}/release}
     */
    @RegisterForReflection
    public record MediaFaults(Boolean corrupt, Boolean expired, Long stallAfterBytes) {
    }
}
