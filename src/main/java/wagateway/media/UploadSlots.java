package wagateway.media;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.filters.Filters;
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
 * The API key is checked here too, so that callers without one cannot take the slots (they get the same 401
 * as everywhere, without their body being read).
 */
@ApplicationScoped
public class UploadSlots {

    static final int RETRY_AFTER_SECONDS = 5;

    private final ApiKeys apiKeys;
    private final ObjectMapper mapper;
    private final int max;
    private final AtomicInteger taken;

    UploadSlots(ApiKeys apiKeys, ObjectMapper mapper, GatewayConfig config, MeterRegistry metrics) {
        this.apiKeys = apiKeys;
        this.mapper = mapper;
        this.max = config.media().maxConcurrentUploads();
        this.taken = metrics.gauge("wagateway.media.uploads.in_flight", new AtomicInteger());
    }

    // After the body-size check (priority 100): an upload that is too large is refused as such.
    void register(@Observes Filters filters) {
        filters.register(this::admit, 90);
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
            if (released.compareAndSet(false, true)) {
                taken.decrementAndGet();
            }
        });
        rc.next();
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
