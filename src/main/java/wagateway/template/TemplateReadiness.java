package wagateway.template;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports each account's catalogue in the readiness details, and never fails readiness: a gateway whose Graph is
 * down still accepts, with the catalogue it has (or, never synced, the static {@code gateway.templates} categories,
 * which this says: {@code missing}).
 */
@Readiness
@ApplicationScoped
public class TemplateReadiness implements HealthCheck {

    private final WabaDirectory wabas;
    private final TemplateCatalog catalog;

    TemplateReadiness(WabaDirectory wabas, TemplateCatalog catalog) {
        this.wabas = wabas;
        this.catalog = catalog;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Template catalogue").up();
        for (WabaDirectory.Account account : wabas.all()) {
            AccountTemplates templates = catalog.get(account.id());
            response.withData(account.name(), templates.synced()
                    ? String.format(Locale.ROOT, "%d templates, synced %.0f s ago", templates.size(),
                            catalog.age(account.id()))
                    : "missing: never synced (static gateway.templates categories in use, templates not checked)");
        }
        return response.build();
    }
}
