package wagateway.cloudapi;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import wagateway.cloudapi.ErrorClassifier.Disposition;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorClassifierTest {

    @ParameterizedTest
    @CsvSource({
            "4, 429, TRANSIENT", "80007, 400, TRANSIENT", "130429, 429, TRANSIENT", "130429, 500, TRANSIENT",
            "131000, 500, TRANSIENT", "131016, 503, TRANSIENT", "1, 500, TRANSIENT", "2, 503, TRANSIENT",
            "131057, 400, TRANSIENT", "131056, 429, PAIR_RATE", "190, 401, AUTH", "0, 401, AUTH",
            "131047, 400, WINDOW_CLOSED", "131050, 400, MARKETING_OPT_OUT", "131026, 400, UNDELIVERABLE",
            "100, 400, PERMANENT", "131008, 400, PERMANENT", "131009, 400, PERMANENT", "132000, 400, PERMANENT",
            "132001, 404, PERMANENT", "131049, 400, PERMANENT", "368, 403, PERMANENT"
    })
    void classifiesByCodeNotStatus(int code, int status, Disposition expected) {
        assertThat(ErrorClassifier.classify(code, status)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({ "500, TRANSIENT", "502, TRANSIENT", "429, TRANSIENT", "408, TRANSIENT", "400, PERMANENT", "404, PERMANENT" })
    void withoutAMetaBodyTheStatusDecides(int status, Disposition expected) {
        assertThat(ErrorClassifier.classify(null, status)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({ "131026, true", "131047, true", "131050, false", "100, false" })
    void suggestsAnotherChannelWhenWhatsAppCannotDeliver(int code, boolean suggested) {
        assertThat(ErrorClassifier.fallbackSuggested(code)).isEqualTo(suggested);
    }

    @ParameterizedTest
    @CsvSource({ "190, true", "0, true", "130429, false", "131047, false" })
    void aRefusedTokenIsTheSendersNotTheMessages(int code, boolean refused) {
        assertThat(ErrorClassifier.authRefused(code)).isEqualTo(refused);
    }
}
