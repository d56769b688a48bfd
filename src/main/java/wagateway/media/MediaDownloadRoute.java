package wagateway.media;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import wagateway.support.BearerToken;
import wagateway.web.ApiKeys;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * {@code GET /v1/media/{mediaId}}: streams a media file from the Cloud API to the caller without holding it.
 *
 * <p>
 * A Vert.x route rather than a REST resource because it must control the connection itself: bytes are
 * piped with back-pressure (the upstream is paused while the caller's write queue is full), the SHA-256 is
 * computed as chunks pass, and a checksum mismatch must break the transfer. The headers (and the digest the
 * caller should expect, as RFC 9530 {@code Repr-Digest}) are gone by then, so the last chunk is held back
 * until the digest is known: on a mismatch the connection is reset before the response completes, and the
 * caller sees a truncated transfer instead of a corrupt 200. Everything that can fail before the first byte
 * (unknown id, expired, token refused, Graph down) still answers a problem document.
 */
@ApplicationScoped
public class MediaDownloadRoute {

    private final ApiKeys apiKeys;
    private final MediaLookup lookup;
    private final GraphMediaClient graph;
    private final ObjectMapper mapper;
    private final MeterRegistry metrics;
    private final AtomicInteger inFlight;

    MediaDownloadRoute(ApiKeys apiKeys, MediaLookup lookup, GraphMediaClient graph, ObjectMapper mapper,
            MeterRegistry metrics) {
        this.apiKeys = apiKeys;
        this.lookup = lookup;
        this.graph = graph;
        this.mapper = mapper;
        this.metrics = metrics;
        this.inFlight = metrics.gauge("wagateway.media.downloads.in_flight", new AtomicInteger());
    }

    // Ordered before Quarkus REST's route, which owns the other /v1/media methods.
    void register(@Observes Router router) {
        router.get("/v1/media/:mediaId").order(-1).handler(this::download);
    }

    private void download(RoutingContext rc) {
        // Customer files are untrusted content: never let a browser sniff them into HTML or script.
        rc.response().putHeader("X-Content-Type-Options", "nosniff");
        if (apiKeys.authenticate(BearerToken.from(rc.request().getHeader("Authorization"))).isEmpty()) {
            rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"wagateway\"");
            problem(rc, Problem.of(null, "Unauthorized", 401, null));
            return;
        }
        String mediaId = rc.pathParam("mediaId");
        if (!mediaId.matches("[A-Za-z0-9._-]{1,128}")) {
            problem(rc, MediaProblems.notFound(mediaId.length() > 128 ? mediaId.substring(0, 128) : mediaId).problem());
            return;
        }
        // The route is the entry point here (no framework subscribes for us); both outcomes are handled.
        lookup.prepare(mediaId).subscribe().with(ready -> open(rc, ready),
                failure -> problem(rc, MediaProblems.fromFailure(failure).problem()));
    }

    private void open(RoutingContext rc, MediaLookup.Ready ready) {
        graph.download(ready.sender(), ready.url()).onComplete(result -> {
            if (result.failed()) {
                problem(rc, MediaProblems.fromFailure(result.cause()).problem());
                return;
            }
            HttpClientResponse upstream = result.result();
            if (upstream.statusCode() != 200) {
                upstream.request().reset();
                count("upstream_refused");
                int status = upstream.statusCode();
                ProblemException refused = status >= 500 ? MediaProblems.fromFailure(new GraphUnavailableException(status))
                        : status == 401 || status == 403
                                ? new ProblemException(Problem.of("cloud-api-auth", "Bad Gateway", 502,
                                        "The Cloud API refused the sender's token for the download URL (HTTP " + status + ")"))
                                : MediaProblems.gone("The Cloud API no longer serves this media (download answered HTTP "
                                        + status + ")");
                problem(rc, refused.problem());
                return;
            }
            stream(rc, ready, upstream);
        });
    }

    private void stream(RoutingContext rc, MediaLookup.Ready ready, HttpClientResponse upstream) {
        HttpServerResponse response = rc.response();
        if (response.closed()) {
            upstream.request().reset();
            return;
        }
        String upstreamLength = upstream.getHeader("Content-Length");
        Long length = upstreamLength != null ? Long.valueOf(upstreamLength) : ready.size();
        MessageDigest digest = sha256();
        Transfer transfer = new Transfer(inFlight);
        // The file's headers go out with its first bytes: until then a failure can still answer a problem.
        Runnable head = () -> {
            response.setStatusCode(200).putHeader("Content-Type", ready.mimeType())
                    .putHeader("Cache-Control", "private, no-store")
                    .putHeader("Content-Disposition", contentDisposition(ready.media().filename(), ready.media().id()));
            if (length != null) {
                response.putHeader("Content-Length", Long.toString(length));
            } else {
                response.setChunked(true);
            }
            if (ready.expectedSha256() != null) {
                response.putHeader("Repr-Digest", "sha-256=:" + ready.expectedSha256() + ":");
            }
        };
        // A silence of the Cloud API (not a pause of ours for a slow caller) longer than the idle timeout ends the
        // transfer: without it a stalled body held its request, and its pooled connection, forever.
        Runnable silent = () -> {
            if (transfer.finished) {
                return;
            }
            if (!response.headWritten()) {
                transfer.finish();
                count("upstream_silent");
                Log.warnf("Media %s (%s) download timed out: no bytes from the Cloud API for %d ms", ready.media().id(),
                        ready.media().sender(), graph.idleTimeoutMs());
                problem(rc, MediaProblems.fromFailure(new TimeoutException()).problem());
            } else {
                abort(rc, transfer, "upstream_silent", "no bytes from the Cloud API for " + graph.idleTimeoutMs() + " ms",
                        ready);
            }
            // after the transfer is marked finished: the reset's own error is then not reported as the cause
            upstream.request().reset();
        };
        Vertx vertx = rc.vertx();
        transfer.watch(vertx, graph.idleTimeoutMs(), silent);
        response.closeHandler(v -> {
            if (!transfer.finished) {
                transfer.finish();
                upstream.request().reset();
                count("caller_gone");
            }
        });
        upstream.handler(chunk -> {
            transfer.watch(vertx, graph.idleTimeoutMs(), silent);
            digest.update(chunk.getBytes());
            transfer.bytes += chunk.length();
            if (transfer.held != null) {
                if (!response.headWritten()) {
                    head.run();
                }
                response.write(transfer.held);
            }
            transfer.held = chunk;
            if (response.writeQueueFull()) {
                // the caller is slow, not the Cloud API: no silence is timed while we hold the upstream back
                transfer.unwatch(vertx);
                upstream.pause();
                response.drainHandler(v -> {
                    transfer.watch(vertx, graph.idleTimeoutMs(), silent);
                    upstream.resume();
                });
            }
        });
        upstream.exceptionHandler(error -> abort(rc, transfer, "upstream_error",
                "the Cloud API broke off the transfer (" + error.getClass().getSimpleName() + ")", ready));
        upstream.endHandler(v -> {
            String actual = Base64.getEncoder().encodeToString(digest.digest());
            if (ready.expectedSha256() != null && !actual.equals(ready.expectedSha256())) {
                abort(rc, transfer, "digest_mismatch", "the bytes do not match the expected sha256", ready);
            } else if (length != null && transfer.bytes != length) {
                abort(rc, transfer, "length_mismatch", "got " + transfer.bytes + " bytes, expected " + length, ready);
            } else {
                transfer.finish();
                if (!response.headWritten()) {
                    head.run();
                }
                if (transfer.held != null) {
                    response.write(transfer.held);
                }
                response.end();
                count("ok");
            }
        });
        upstream.resume();
    }

    /** Breaks the caller's transfer: never complete a response whose bytes we know to be wrong. */
    private void abort(RoutingContext rc, Transfer transfer, String result, String why, MediaLookup.Ready ready) {
        if (transfer.finished) {
            return;
        }
        transfer.finish();
        count(result);
        Log.warnf("Media %s (%s) download aborted after %d bytes: %s", ready.media().id(), ready.media().sender(),
                transfer.bytes, why);
        if (!rc.response().headWritten()) {
            // nothing reached the caller yet: a problem document says what happened
            problem(rc, new ProblemException(Problem.of("cloud-api-error", "Bad Gateway", 502,
                    "The media transfer from the Cloud API failed: " + why)).problem());
            return;
        }
        if (!rc.response().reset()) {
            rc.request().connection().close();
        }
    }

    private void count(String result) {
        metrics.counter("wagateway_media_downloads_total", "result", result).increment();
    }

    private void problem(RoutingContext rc, Problem problem) {
        if (rc.response().ended() || rc.response().closed()) {
            return;
        }
        String body;
        try {
            body = mapper.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + problem.getStatus() + "}";
        }
        rc.response().setStatusCode(problem.getStatus()).putHeader("Content-Type", Problem.MEDIA_TYPE).end(body);
    }

    /**
     * RFC 6266, always {@code attachment} (a customer's file is downloaded, never rendered in our origin): an ASCII
     * fallback plus the exact name in RFC 8187 encoding. The name is the customer's, so it is made safe first: no
     * path (slashes), no control characters, not empty or a dot name, at most 200 characters; without one the
     * media id names the file.
     */
    static String contentDisposition(String filename, String mediaId) {
        String safe = safeFilename(filename, mediaId);
        String ascii = safe.replaceAll("[^\\x20-\\x7E]", "_").replace("\"", "_");
        String encoded = URLEncoder.encode(safe, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }

    static String safeFilename(String filename, String mediaId) {
        String name = filename == null ? "" : filename;
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        name = name.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}\\u202A-\\u202E\\u2066-\\u2069]", "_").strip();
        if (name.codePointCount(0, name.length()) > 200) {
            name = name.substring(0, name.offsetByCodePoints(0, 200));
        }
        return name.isEmpty() || name.chars().allMatch(c -> c == '.') ? mediaId : name;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** State of one transfer; touched only from the upstream's and the response's handlers (one event loop). */
    private static final class Transfer {
        private final AtomicInteger inFlight;
        private long silenceTimer = -1;
        Buffer held;
        long bytes;
        boolean finished;

        Transfer(AtomicInteger inFlight) {
            this.inFlight = inFlight;
            inFlight.incrementAndGet();
        }

        /** (Re)starts the silence clock. */
        void watch(Vertx vertx, long timeoutMs, Runnable onSilence) {
            unwatch(vertx);
            if (!finished) {
                silenceTimer = vertx.setTimer(timeoutMs, id -> {
                    silenceTimer = -1;
                    onSilence.run();
                });
            }
        }

        void unwatch(Vertx vertx) {
            if (silenceTimer >= 0) {
                vertx.cancelTimer(silenceTimer);
                silenceTimer = -1;
            }
        }

        void finish() {
            if (!finished) {
                finished = true;
                inFlight.decrementAndGet();
            }
        }
    }
}
