package wagateway.media;

import java.time.Instant;

/**
 * A media id the gateway knows: a customer's (from an inbound message) or one the business uploaded.
 *
 * @param sender the configured sender whose token may fetch it (null when the number is not configured)
 * @param sha256 base64 SHA-256 as Meta reported it (webhook) or as we computed it (upload)
 * @param sizeBytes known for uploads; null for customer media (Graph tells)
 * @param expiresAt when the Cloud API forgets the id
 * @param deletedAt set once deleted through us
 */
record StoredMedia(String id, Origin origin, String sender, String phoneNumberId, String mimeType, String sha256,
        String filename, Long sizeBytes, Instant expiresAt, Instant deletedAt) {

    enum Origin {
        INBOUND,
        UPLOADED
    }

    boolean goneAt(Instant now) {
        return deletedAt != null || !now.isBefore(expiresAt);
    }
}
