package wagateway.operations;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Tags;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;

/**
 * Tags a request that no REST route matched {@code uri="/{unmatched}"} in {@code http.server.requests}: a 404,
 * and a 401 that the API key filter answered before matching ({@code /v1/<anything>}). Quarkus would tag those
 * with the raw path, so every random path (or a phone number in {@code /v1/contacts/…}) became a new tag, and once
 * the registry held its 100 uri tags the real endpoints were no longer recorded. A matched request keeps its
 * route template ({@code /v1/messages/{id}}), which is what Quarkus REST leaves in the request's context.
 */
@Singleton
public class UnmatchedPathTag implements HttpServerMetricsTagsContributor {

    static final String UNMATCHED = "/{unmatched}";

    /** Where Quarkus REST records the matched route's template (read by Quarkus's own uri tag as well). */
    private static final String TEMPLATE = "UrlPathTemplate";

    private static final Tags UNMATCHED_TAGS = Tags.of("uri", UNMATCHED);

    @Override
    public Tags contribute(Context context) {
        if (context.requestContextLocalData(TEMPLATE) != null) {
            return Tags.empty();
        }
        String path = context.request().path();
        // Quarkus's own endpoints (health, metrics when served on the main port) are fixed paths: keep them.
        if (path != null && path.startsWith("/q/")) {
            return Tags.empty();
        }
        return UNMATCHED_TAGS;
    }
}
