package wagateway.contact;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import wagateway.contact.OptKeywordMatcher.Intent;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OptKeywordMatcherTest {

    /** The spec's default list (§3.1), as configured by default. */
    private final OptKeywordMatcher matcher = new OptKeywordMatcher(
            List.of("STOP", "UNSUBSCRIBE", "PARAR", "SAIR", "CANCELAR", "BAJA"), List.of("START", "Voltar"));

    @ParameterizedTest
    @ValueSource(strings = { "STOP", "stop", "Stop", " stop ", "Stop!", "STOP.", "¡Baja!", "baja", "BÁJA", "párar",
            "Parar", "PARAR!!", "sáir", "Sair", "CANCELAR", "cancelár", "Unsubscribe", "stop 🛑", "\"stop\"", "Ｓｔｏｐ" })
    void recognisesOptOutKeywordsWhateverTheCaseAccentsAndPunctuation(String text) {
        assertEquals(Optional.of(Intent.OPT_OUT), matcher.match(text));
    }

    @ParameterizedTest
    @ValueSource(strings = { "start", "START!", "voltar", "Vóltar", " VOLTAR " })
    void recognisesConfiguredOptInKeywords(String text) {
        assertEquals(Optional.of(Intent.OPT_IN), matcher.match(text));
    }

    @ParameterizedTest
    @ValueSource(strings = { "please stop", "stop sending me this", "don't stop", "stopp", "bajar", "", "   ", "!!!",
            "hi everyone!", "parar de receber" })
    void ignoresKeywordsInsideLongerMessagesAndOtherText(String text) {
        assertEquals(Optional.empty(), matcher.match(text));
    }

    @Test
    void ignoresNullAndVeryLongMessages() {
        assertEquals(Optional.empty(), matcher.match(null));
        assertEquals(Optional.empty(), matcher.match("stop" + " ".repeat(100)));
    }

    @Test
    void optOutWinsWhenAWordIsInBothLists() {
        var both = new OptKeywordMatcher(List.of("STOP"), List.of("stop", "start"));
        assertEquals(Optional.of(Intent.OPT_OUT), both.match("Stop"));
        assertEquals(Optional.of(Intent.OPT_IN), both.match("Start"));
    }

    @Test
    void noOptInKeywordsByDefault() {
        var defaults = new OptKeywordMatcher(List.of("STOP"), null);
        assertEquals(Optional.empty(), defaults.match("start"));
    }

    @Test
    void normalisesKeywordsTheSameWayAsMessages() {
        assertEquals("PARAR", OptKeywordMatcher.normalize("  ¡Párar!  "));
        assertEquals("STOP ALL", OptKeywordMatcher.normalize("stop   all"));
    }
}
