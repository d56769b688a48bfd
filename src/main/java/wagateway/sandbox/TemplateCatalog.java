package wagateway.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;

/**
 * The templates of the sandbox's one WhatsApp Business Account: a small built-in set, extendable and changeable
 * at run time (status, category, quality), served paged as Meta's {@code GET /{waba-id}/message_templates} does.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class TemplateCatalog {

    static final List<SandboxTemplate> BUILT_IN = List.of(
            approved("900000000000001", "hello_world", "utility", 0, "none", List.of()),
            approved("900000000000002", "order_update", "utility", 2, "none", List.of()),
            approved("900000000000003", "promo_offer", "marketing", 1, "image", List.of()),
            approved("900000000000004", "otp_code", "authentication", 1, "none", List.of()));

    private final Map<String, SandboxTemplate> templates = new ConcurrentHashMap<>();
    /** When paused templates unpause on their own, as Meta's do after a first (3 h) or second (6 h) pause. */
    private final Map<String, Instant> pauseEnds = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(900000000000100L);
    private final Clock clock;

    TemplateCatalog(Clock clock) {
        this.clock = clock;
        reset();
    }

    static SandboxTemplate approved(String id, String name, String category, int bodyParameters, String headerType,
            List<String> buttons) {
        return new SandboxTemplate(id, name, category, "en_US", bodyParameters, headerType, buttons, "APPROVED", "GREEN");
    }

    public Optional<SandboxTemplate> find(String name) {
        return Optional.ofNullable(templates.get(name)).map(this::current);
    }

    /** The template's pause ends then (null: it lasts until its status is changed). */
    void pauseEnds(String name, Instant end) {
        if (end == null) {
            pauseEnds.remove(name);
        } else {
            pauseEnds.put(name, end);
        }
    }

    /** A paused template whose pause has ended is approved again (Meta sends no webhook for it here). */
    private SandboxTemplate current(SandboxTemplate template) {
        Instant end = pauseEnds.get(template.name());
        if (end == null || !"PAUSED".equals(template.status()) || end.isAfter(clock.instant())) {
            return template;
        }
        pauseEnds.remove(template.name(), end);
        SandboxTemplate unpaused = template.withStatus("APPROVED");
        templates.replace(template.name(), template, unpaused);
        return unpaused;
    }

    public void put(SandboxTemplate template) {
        templates.put(template.name(), template);
    }

    /** A new template id, or the one the template of this name already has (a replaced template keeps its id). */
    String idFor(String name) {
        SandboxTemplate existing = templates.get(name);
        return existing != null ? existing.id() : Long.toString(ids.incrementAndGet());
    }

    /** Changes one template; @return the template before and after, or empty when it does not exist. */
    Optional<SandboxTemplate[]> change(String name, UnaryOperator<SandboxTemplate> change) {
        SandboxTemplate[] beforeAfter = new SandboxTemplate[2];
        find(name); // a pause that ended is over first
        templates.computeIfPresent(name, (key, before) -> {
            beforeAfter[0] = before;
            beforeAfter[1] = change.apply(before);
            return beforeAfter[1];
        });
        return beforeAfter[0] == null ? Optional.empty() : Optional.of(beforeAfter);
    }

    public List<SandboxTemplate> all() {
        return templates.values().stream().map(this::current).sorted(Comparator.comparing(SandboxTemplate::name)).toList();
    }

    /** One page in name order after the cursor (Meta's cursors are opaque: here the base64 of the last name). */
    Page page(String after, int limit) {
        String last = after == null || after.isBlank() ? "" : decode(after);
        List<SandboxTemplate> rest = all().stream().filter(t -> t.name().compareTo(last) > 0).toList();
        List<SandboxTemplate> page = rest.subList(0, Math.min(limit, rest.size()));
        boolean more = rest.size() > page.size();
        return new Page(page, page.isEmpty() ? null : encode(page.get(0).name()),
                page.isEmpty() ? null : encode(page.get(page.size() - 1).name()), more);
    }

    record Page(List<SandboxTemplate> templates, String before, String after, boolean more) {
    }

    private static String encode(String name) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(name.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** Back to the built-in set. */
    public void reset() {
        templates.clear();
        pauseEnds.clear();
        BUILT_IN.forEach(this::put);
    }
}
