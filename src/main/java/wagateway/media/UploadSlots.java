package wagateway.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import wagateway.config.GatewayConfig;
import wagateway.support.BearerToken;
import wagateway.web.ApiKeys;
import wagateway.web.Problem;

/**
 * Holds {@code POST /v1/media} to {@code gateway.media.max-concurrent-uploads} at once per replica, before the
 * body is read. Quarkus spools an upload's file to {@code quarkus.http.body.uploads-directory} (the pod's
 * {@code /tmp} emptyDir) before the resource sees it, up to {@code quarkus.http.limits.max-body-size} each: without
 * a bound, uploads in parallel filled the volume past its {@code sizeLimit} and the kubelet evicted the pod. One
 * more upload is answered 503 {@code uploads-busy} with {@code Retry-After} and the connection closed, so its body
 * never reaches the disk. kubernetes/ sizes {@code /tmp} for this many (KubernetesManifestsTest checks it).
 *
 * <p>
 * Quarkus deletes a spooled file when its request ends, but not the partial file of an upload whose caller went
 * away mid-body: those would fill the volume over time (and an emptyDir outlives a container restart). So once no
 * upload is in flight, and at start, the files in the directory that nobody writes any more are deleted.
 *
 * <p>
 * The API key is checked here too, so that callers without one cannot take the slots (they get the same 401
 * as everywhere, without their body being read).
 */
@ApplicationScoped
public class UploadSlots {

    static final int RETRY_AFTER_SECONDS = 5;
    private static final Duration SWEEP_DELAY = Duration.ofSeconds(2);
    private static final Duration IDLE_BEFORE_SWEEP = Duration.ofSeconds(1);

    private final ApiKeys apiKeys;
    private final ObjectMapper mapper;
    private final int max;
    private final AtomicInteger taken;
    private final Vertx vertx;
    private final Path spool;

    UploadSlots(ApiKeys apiKeys, ObjectMapper mapper, GatewayConfig config, MeterRegistry metrics, Vertx vertx,
            @ConfigProperty(name = "quarkus.http.body.uploads-directory") String uploadsDirectory) {
        this.apiKeys = apiKeys;
        this.mapper = mapper;
        this.max = config.media().maxConcurrentUploads();
        this.taken = metrics.gauge("wagateway.media.uploads.in_flight", new AtomicInteger());
        this.vertx = vertx;
        this.spool = Path.of(uploadsDirectory);
    }

    // After the body-size check (priority 100): an upload that is too large is refused as such.
    void register(@Observes Filters filters) {
        filters.register(this::admit, 90);
        sweepSoon();
    }

    private void admit(RoutingContext rc) {
        if (!"POST".equals(rc.request().method().name()) || !"/v1/media".equals(rc.request().path())) {
            rc.next();
            return;
        }
        if (apiKeys.authenticate(BearerToken.from(rc.request().getHeader("Authorization"))).isEmpty()) {
            rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"wagateway\"");
            refuse(rc, Problem.of(null, "Unauthorized", 401, null));
            return;
        }
        if (taken.incrementAndGet() > max) {
            taken.decrementAndGet();
            rc.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            refuse(rc, Problem.of("uploads-busy", "Service Unavailable", 503, "This replica is taking " + max
                    + " uploads already (gateway.media.max-concurrent-uploads); try again shortly"));
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        rc.addEndHandler(ended -> {
            if (released.compareAndSet(false, true) && taken.decrementAndGet() == 0) {
                sweepSoon();
            }
        });
        rc.next();
    }

    /** In a moment, so that a file the last upload wrote is idle for long enough to be told from a live one. */
    private void sweepSoon() {
        vertx.setTimer(SWEEP_DELAY.toMillis(), id -> vertx.executeBlocking(this::sweep, false));
    }

    /**
     * Deletes spooled files while no upload is in flight. A file written in the last second is spared: an upload
     * takes its slot before its body is read, so such a file can only belong to one that just started.
     */
    private int sweep() {
        if (taken.get() > 0 || !Files.isDirectory(spool)) {
            return 0;
        }
        Instant cutoff = Instant.now().minus(IDLE_BEFORE_SWEEP);
        int deleted = 0;
        boolean spared = false;
        try (Stream<Path> files = Files.list(spool)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (taken.get() > 0) {
                    return deleted;
                }
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                if (!Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                    spared = true;
                } else if (Files.deleteIfExists(file)) {
                    deleted++;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            Log.warnf("Could not clean the upload spool %s: %s", spool, e.toString());
        }
        if (spared && taken.get() == 0) {
            // written too recently to tell; look again (an upload that starts meanwhile sweeps when it ends)
            vertx.runOnContext(v -> sweepSoon());
        }
        if (deleted > 0) {
            Log.infof("Deleted %d spooled upload file(s) left by uploads that broke off", deleted);
        }
        return deleted;
    }

    /** Answers without reading the body; the connection is closed so the client stops sending it. */
    private void refuse(RoutingContext rc, Problem problem) {
        String body;
        try {
            body = mapper.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + problem.getStatus() + "}";
        }
        if (rc.request().version() != HttpVersion.HTTP_2) {
            rc.response().putHeader("Connection", "close");
        }
        rc.response().setStatusCode(problem.getStatus()).putHeader("Content-Type", Problem.MEDIA_TYPE).end(body);
    }
}
