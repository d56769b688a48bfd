package wagateway.media;

import java.util.concurrent.TimeoutException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import wagateway.web.Problem;

import static org.assertj.core.api.Assertions.assertThat;

/** How the Cloud API's answers and failures become the caller's problems, before the first byte. */
class MediaProblemsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void failuresMapToBadGatewayUnavailableOrTimeout() {
        assertThat(problem(new CircuitBreakerOpenException("open")).getStatus()).isEqualTo(503);
        assertThat(problem(new TimeoutException()).getStatus()).isEqualTo(504);
        assertThat(problem(new org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException()).getStatus())
                .isEqualTo(504);
        assertThat(problem(new GraphUnavailableException(500)).getType()).endsWith("cloud-api-unavailable");
        assertThat(problem(new java.net.ConnectException("refused")).getStatus()).isEqualTo(502);
    }

    @Test
    void aRefusedTokenIsOurConfigurationAndAnUnknownObjectIsGone() throws Exception {
        GraphReply badToken = new GraphReply(401, JSON.readTree("{\"error\":{\"code\":190,\"message\":\"Invalid OAuth\"}}"));
        Problem auth = MediaProblems.fromGraph(badToken, "describe the media").problem();
        assertThat(auth.getStatus()).isEqualTo(502);
        assertThat(auth.getType()).endsWith("cloud-api-auth");
        assertThat(auth.getDetail()).contains("access-token");

        GraphReply unknown = new GraphReply(400,
                JSON.readTree("{\"error\":{\"code\":100,\"message\":\"Unsupported get request\"}}"));
        assertThat(MediaProblems.fromGraph(unknown, "describe the media").problem().getStatus()).isEqualTo(410);

        GraphReply other = new GraphReply(400, JSON.readTree("{\"error\":{\"code\":131009,\"message\":\"bad\"}}"));
        assertThat(MediaProblems.fromGraph(other, "describe the media").problem().getStatus()).isEqualTo(502);
    }

    @Test
    void aHexDigestFromGraphIsComparedAsBase64() {
        assertThat(MediaLookup.base64Sha256("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
                .isEqualTo("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        assertThat(MediaLookup.base64Sha256("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="))
                .isEqualTo("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }

    private static Problem problem(Throwable failure) {
        return MediaProblems.fromFailure(failure).problem();
    }
}
