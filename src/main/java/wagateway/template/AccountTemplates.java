package wagateway.template;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One account's catalogue in memory, immutable: replaced whole when the account changes.
 *
 * @param syncedAt when the catalogue was last read whole from the Graph API; null: never (then the static
 *        {@code gateway.templates.<name>.category} map stands in)
 */
public record AccountTemplates(String wabaId, Instant syncedAt, Map<String, Map<String, TemplateFacts>> byName) {

    static AccountTemplates of(String wabaId, Instant syncedAt, Collection<TemplateFacts> templates) {
        Map<String, Map<String, TemplateFacts>> byName = new HashMap<>();
        for (TemplateFacts t : templates) {
            byName.computeIfAbsent(t.name(), n -> new HashMap<>()).put(t.language(), t);
        }
        byName.replaceAll((name, languages) -> Map.copyOf(languages));
        return new AccountTemplates(wabaId, syncedAt, Map.copyOf(byName));
    }

    public boolean synced() {
        return syncedAt != null;
    }

    public int size() {
        return byName.values().stream().mapToInt(Map::size).sum();
    }

    public TemplateFacts find(String name, String language) {
        Map<String, TemplateFacts> languages = byName.get(name);
        return languages == null ? null : languages.get(language);
    }

    /** The template's languages, any status. */
    public List<String> languages(String name) {
        Map<String, TemplateFacts> languages = byName.get(name);
        return languages == null ? List.of() : languages.keySet().stream().sorted().toList();
    }

    /** The category of a template name (any of its languages: Meta categorises per template). */
    public String category(String name) {
        Map<String, TemplateFacts> languages = byName.get(name);
        return languages == null || languages.isEmpty() ? null : languages.values().iterator().next().category();
    }
}
