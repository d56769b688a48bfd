package wagateway.sandbox;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;

/** The templates the sandbox treats as approved: a small built-in set, extendable at run time. */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class TemplateCatalog {

    static final List<SandboxTemplate> BUILT_IN = List.of(
            new SandboxTemplate("hello_world", "utility", "en_US", 0, "none"),
            new SandboxTemplate("order_update", "utility", "en_US", 2, "none"),
            new SandboxTemplate("promo_offer", "marketing", "en_US", 1, "image"),
            new SandboxTemplate("otp_code", "authentication", "en_US", 1, "none"));

    private final Map<String, SandboxTemplate> templates = new ConcurrentHashMap<>();

    TemplateCatalog() {
        reset();
    }

    public Optional<SandboxTemplate> find(String name) {
        return Optional.ofNullable(templates.get(name));
    }

    public void put(SandboxTemplate template) {
        templates.put(template.name(), template);
    }

    public List<SandboxTemplate> all() {
        return templates.values().stream().sorted(Comparator.comparing(SandboxTemplate::name)).toList();
    }

    /** Back to the built-in set. */
    public void reset() {
        templates.clear();
        BUILT_IN.forEach(this::put);
    }
}
