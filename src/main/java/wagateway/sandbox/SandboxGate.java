package wagateway.sandbox;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import wagateway.config.GatewayConfig;
import wagateway.web.Problem;

/**
 * Hides the sandbox unless {@code gateway.sandbox.enabled=true} (dev and test profiles set it; production
 * never has it unless asked, and then the startup log says so): every {@code /sandbox} path answers 404.
 */
public class SandboxGate {

    private final boolean enabled;

    SandboxGate(GatewayConfig config) {
        this.enabled = config.sandbox().enabled();
    }

    @ServerRequestFilter(preMatching = true)
    public Response hideWhenDisabled(ContainerRequestContext request) {
        if (blocks(enabled, request.getUriInfo().getPath())) {
            return Response.status(404).type(Problem.MEDIA_TYPE).entity(Problem.of(null, "Not Found", 404, null)).build();
        }
        return null;
    }

    static boolean blocks(boolean enabled, String path) {
        return !enabled && (path.equals("/sandbox") || path.startsWith("/sandbox/"));
    }
}
