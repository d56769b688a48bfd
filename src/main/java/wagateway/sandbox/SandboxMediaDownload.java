package wagateway.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.arc.profile.IfBuildProfile;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import wagateway.config.GatewayConfig;
import wagateway.support.BearerToken;

/**
 * The download URLs that {@code GET /{version}/{media-id}} hands out, like Meta's lookaside URLs: valid
 * five minutes and only with the owning number's {@code Authorization: Bearer} token (401 otherwise).
 * A plain Vert.x route rather than a REST resource because it writes the bytes itself: with
 * {@code Content-Length}, in slices that respect the connection's back-pressure, and with the
 * per-media faults (one byte corrupted; a stall after N bytes until released) that the gateway's
 * streaming and checksum tests need.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class SandboxMediaDownload {

    static final String PATH = "/sandbox/media/download/";
    private static final int SLICE = 64 * 1024;

    private final SandboxMediaStore store;
    private final boolean enabled;
    private final Map<String, String> tokensByNumberId;

    SandboxMediaDownload(SandboxMediaStore store, GatewayConfig config, SandboxConfig sandbox) {
        this.store = store;
        this.enabled = sandbox.enabled();
        this.tokensByNumberId = config.senders().values().stream()
                .collect(Collectors.toMap(GatewayConfig.Sender::phoneNumberId, GatewayConfig.Sender::accessToken, (a, b) -> a));
    }

    void register(@Observes Router router) {
        if (enabled) {
            router.get(PATH + ":opaque").handler(this::download);
        }
    }

    private void download(RoutingContext rc) {
        HttpServerResponse response = rc.response();
        Optional<SandboxMedia> found = store.redeem(rc.pathParam("opaque"));
        if (found.isEmpty()) {
            // Meta's expired lookaside URLs answer 404.
            response.setStatusCode(404).putHeader("Content-Type", "application/json")
                    .end(GraphErrors.unknownMedia("get", "url").envelope(SandboxIds.fbtraceId()).toString());
            return;
        }
        SandboxMedia media = found.get();
        String header = rc.request().getHeader("Authorization");
        String token = Objects.requireNonNullElse(BearerToken.from(header), "");
        String expected = tokensByNumberId.getOrDefault(media.phoneNumberId, "");
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            response.setStatusCode(401).putHeader("Content-Type", "application/json")
                    .end(GraphErrors.invalidToken().envelope(SandboxIds.fbtraceId()).toString());
            return;
        }
        byte[] bytes = media.bytes;
        if (media.corrupt && bytes.length > 0) {
            bytes = bytes.clone();
            bytes[bytes.length / 2] ^= 0x5A;
        }
        response.putHeader("Content-Type", media.mimeType).putHeader("Content-Length", Long.toString(bytes.length));
        write(rc, response, bytes, 0, media);
    }

    /** Writes slices while the connection takes them, pausing on a full write queue and at the stall point. */
    private void write(RoutingContext rc, HttpServerResponse response, byte[] bytes, int from, SandboxMedia media) {
        if (response.closed()) {
            return;
        }
        // A drain handler stays registered: left in place, a later drain would resume from a stale position.
        response.drainHandler(null);
        int position = from;
        while (position < bytes.length) {
            long stall = media.stallAfterBytes;
            if (stall >= 0 && position >= stall && !media.release.isDone()) {
                int resumeAt = position;
                media.release.thenRun(() -> rc.vertx().runOnContext(v -> write(rc, response, bytes, resumeAt, media)));
                return;
            }
            int end = Math.min(bytes.length, position + SLICE);
            if (stall >= 0 && position < stall && !media.release.isDone()) {
                end = (int) Math.min(end, stall);
            }
            response.write(Buffer.buffer().appendBytes(bytes, position, end - position));
            position = end;
            if (response.writeQueueFull() && position < bytes.length) {
                int resumeAt = position;
                response.drainHandler(v -> write(rc, response, bytes, resumeAt, media));
                return;
            }
        }
        response.end();
    }
}
