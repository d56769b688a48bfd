package wagateway.contact;

import java.text.Normalizer;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Recognises a customer message that is, as a whole, an opt-out keyword ("Stop", "párar!", "CANCELAR") or an
 * opt-in keyword (spec §3.1). Case-, accent- and surrounding-punctuation-insensitive; a keyword inside a
 * longer sentence does not count ("please don't stop" is not an opt-out). Opt-out wins when a word is in
 * both lists. Pure: no I/O, no CDI.
 */
public final class OptKeywordMatcher {

    /** What a message asks for. */
    public enum Intent {
        OPT_OUT,
        OPT_IN
    }

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    /** Anything but letters and digits at either end: punctuation, emoji, spaces. */
    private static final Pattern EDGES = Pattern.compile("^[^\\p{L}\\p{N}]+|[^\\p{L}\\p{N}]+$");
    private static final Pattern INNER_SPACE = Pattern.compile("\\s+");
    /** Keywords are short; a long message is never one, whatever it contains. */
    private static final int MAX_LENGTH = 64;

    private final Set<String> optOut;
    private final Set<String> optIn;

    public OptKeywordMatcher(Collection<String> optOutKeywords, Collection<String> optInKeywords) {
        this.optOut = normalizeAll(optOutKeywords);
        this.optIn = normalizeAll(optInKeywords);
    }

    /** @return the intent of this message text, empty when it is no keyword */
    public Optional<Intent> match(String text) {
        if (text == null || text.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        String word = normalize(text);
        if (word.isEmpty()) {
            return Optional.empty();
        }
        if (optOut.contains(word)) {
            return Optional.of(Intent.OPT_OUT);
        }
        return optIn.contains(word) ? Optional.of(Intent.OPT_IN) : Optional.empty();
    }

    /**
     * " Párar! " → "PARAR": accents stripped (NFKD, marks removed; also folds full-width letters), upper-cased,
     * edges trimmed, inner spaces collapsed.
     */
    static String normalize(String text) {
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD);
        String plain = MARKS.matcher(decomposed).replaceAll("");
        String trimmed = EDGES.matcher(plain).replaceAll("");
        return INNER_SPACE.matcher(trimmed).replaceAll(" ").toUpperCase(Locale.ROOT);
    }

    private static Set<String> normalizeAll(Collection<String> keywords) {
        return keywords == null ? Set.of()
                : keywords.stream().map(OptKeywordMatcher::normalize).filter(k -> !k.isEmpty())
                        .collect(Collectors.toUnmodifiableSet());
    }
}
