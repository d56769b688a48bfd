package wagateway.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import wagateway.support.BearerToken;

/**
 * {@code Authorization: Bearer <api key>} on every {@code /v1} endpoint. A missing or wrong key gets a
 * 401 problem that says nothing about why. {@code /q/*}, {@code /webhooks/*} and {@code /sandbox/*} are
 * not behind it (Meta signs its webhooks; the sandbox is a dev tool).
 */
public class ApiKeyFilter {

    /** Request property holding the caller's key fingerprint. */
    public static final String CALLER = "wagateway.caller";

    private final ApiKeys apiKeys;

    ApiKeyFilter(ApiKeys apiKeys) {
        this.apiKeys = apiKeys;
    }

    @ServerRequestFilter(preMatching = true)
    public Response authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/v1") && !path.startsWith("/v1/")) {
            return null;
        }
        var caller = apiKeys.authenticate(BearerToken.from(request.getHeaderString(HttpHeaders.AUTHORIZATION)));
        if (caller.isEmpty()) {
            return Response.status(401)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"wagateway\"")
                    .type(Problem.MEDIA_TYPE)
                    .entity(Problem.of(null, "Unauthorized", 401, null))
                    .build();
        }
        request.setProperty(CALLER, caller.get());
        return null;
    }
}
