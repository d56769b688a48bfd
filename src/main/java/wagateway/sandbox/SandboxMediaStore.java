package wagateway.sandbox;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;

/**
 * The sandbox's media, in memory and bounded ({@value #MAX_TOTAL_BYTES} bytes in all; the oldest files go
 * first), and the short-lived download URLs handed out by {@code GET /{version}/{media-id}}. Lifetimes are
 * Meta's: customer media ids 7 days, uploaded ids 30 days, download URLs 5 minutes
 * (../shared/reference/cloud-api.md §5).
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class SandboxMediaStore {

    static final long MAX_TOTAL_BYTES = 512L * 1024 * 1024;
    static final Duration INBOUND_LIFETIME = Duration.ofDays(7);
    static final Duration UPLOADED_LIFETIME = Duration.ofDays(30);
    static final Duration URL_LIFETIME = Duration.ofMinutes(5);

    /** A download URL's opaque part: which media it serves, until when. */
    record DownloadGrant(String mediaId, Instant validUntil) {
    }

    private final Clock clock;
    private final LinkedHashMap<String, SandboxMedia> media = new LinkedHashMap<>();
    private final Map<String, DownloadGrant> grants = new LinkedHashMap<>();
    private long totalBytes;

    SandboxMediaStore(Clock clock) {
        this.clock = clock;
    }

    /** Stores a file and returns it with its new id. */
    synchronized SandboxMedia add(String phoneNumberId, String mimeType, byte[] bytes, String filename, String origin) {
        Instant now = clock.instant();
        Duration lifetime = "inbound".equals(origin) ? INBOUND_LIFETIME : UPLOADED_LIFETIME;
        SandboxMedia item = new SandboxMedia(newId(), phoneNumberId, mimeType, bytes, sha256(bytes), filename, origin, now,
                now.plus(lifetime));
        media.put(item.id, item);
        totalBytes += bytes.length;
        Iterator<SandboxMedia> oldest = media.values().iterator();
        while (totalBytes > MAX_TOTAL_BYTES && oldest.hasNext()) {
            SandboxMedia evicted = oldest.next();
            if (evicted != item) {
                totalBytes -= evicted.bytes.length;
                oldest.remove();
            }
        }
        return item;
    }

    /** The media with this id, if it exists and has not expired. */
    synchronized Optional<SandboxMedia> live(String id) {
        SandboxMedia item = media.get(id);
        return item == null || item.expired(clock.instant()) ? Optional.empty() : Optional.of(item);
    }

    /** Whether {@code phoneNumberId} may send this media id in a message. */
    boolean usableBy(String id, String phoneNumberId) {
        return live(id).filter(m -> m.phoneNumberId.equals(phoneNumberId)).isPresent();
    }

    synchronized boolean delete(String id) {
        SandboxMedia removed = media.remove(id);
        if (removed != null) {
            totalBytes -= removed.bytes.length;
        }
        return removed != null;
    }

    /** Any media, expired or not (the control API's view). */
    synchronized Optional<SandboxMedia> any(String id) {
        return Optional.ofNullable(media.get(id));
    }

    synchronized List<SandboxMedia> all() {
        return new ArrayList<>(media.values());
    }

    /** A fresh download grant for this media, valid {@link #URL_LIFETIME}. */
    synchronized String grant(String mediaId) {
        Instant now = clock.instant();
        grants.values().removeIf(g -> !now.isBefore(g.validUntil()));
        String opaque = Long.toHexString(ThreadLocalRandom.current().nextLong())
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        grants.put(opaque, new DownloadGrant(mediaId, now.plus(URL_LIFETIME)));
        return opaque;
    }

    /** The media a download URL serves, while the URL and the media are both valid. */
    synchronized Optional<SandboxMedia> redeem(String opaque) {
        DownloadGrant grant = grants.get(opaque);
        if (grant == null || !clock.instant().isBefore(grant.validUntil())) {
            return Optional.empty();
        }
        return live(grant.mediaId());
    }

    Instant now() {
        return clock.instant();
    }

    synchronized void clear() {
        media.values().forEach(m -> m.release.complete(null));
        media.clear();
        grants.clear();
        totalBytes = 0;
    }

    /** Meta's media ids are decimal numbers of 15-16 digits. */
    private static String newId() {
        return Long.toString(1_000_000_000_000_000L + ThreadLocalRandom.current().nextLong(8_999_999_999_999_999L));
    }

    static String sha256(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
