package wagateway.sandbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.vertx.http.runtime.filters.Filters;
import wagateway.web.Problem;

/**
 * Hides the sandbox when {@code gateway.sandbox.enabled=false}: every {@code /sandbox} path answers 404. The
 * production build needs no gate: it has no sandbox at all (Quarkus removes these beans when building it). A
 * Vert.x filter rather than a REST one, so it is a bean like the rest of the sandbox (and leaves with it), and
 * covers the media download route too.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class SandboxGate {

    static final String NOT_FOUND = "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404}";

    private final boolean enabled;

    SandboxGate(SandboxConfig config) {
        this.enabled = config.enabled();
    }

    void register(@Observes Filters filters) {
        if (enabled) {
            return;
        }
        filters.register(rc -> {
            if (blocks(false, rc.request().path())) {
                rc.response().setStatusCode(404).putHeader("Content-Type", Problem.MEDIA_TYPE).end(NOT_FOUND);
                return;
            }
            rc.next();
        }, 200);
    }

    static boolean blocks(boolean enabled, String path) {
        return !enabled && path != null && (path.equals("/sandbox") || path.startsWith("/sandbox/"));
    }
}
