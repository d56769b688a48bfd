package wagateway.media;

import java.net.URI;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which download requests carry the sender's token: the host Graph named, over https; plain http only to the
 * host of a plain-http {@code gateway.cloud-api.base-url} (the simulator).
 */
class DownloadTokenRuleTest {

    static final URI META = URI.create("https://graph.facebook.com");
    static final URI SIMULATOR = URI.create("http://localhost:8081/sandbox/graph");

    @Test
    void httpsToTheHostGraphNamedCarriesTheToken() {
        assertThat(GraphMediaClient.carriesToken(URI.create("https://lookaside.fbsbx.com/whatsapp_business/x"),
                "lookaside.fbsbx.com", META)).isTrue();
    }

    @Test
    void plainHttpNeverCarriesItAgainstAnHttpsGraph() {
        // a redirect (or a described URL) that downgrades to http on the very same host
        assertThat(GraphMediaClient.carriesToken(URI.create("http://lookaside.fbsbx.com/whatsapp_business/x"),
                "lookaside.fbsbx.com", META)).isFalse();
    }

    @Test
    void anotherHostNeverCarriesIt() {
        assertThat(GraphMediaClient.carriesToken(URI.create("https://cdn.example.com/x"), "lookaside.fbsbx.com", META))
                .isFalse();
        assertThat(GraphMediaClient.carriesToken(URI.create("http://127.0.0.1:8081/x"), "localhost", SIMULATOR)).isFalse();
    }

    @Test
    void plainHttpToAPlainHttpSimulatorsHostCarriesIt() {
        assertThat(GraphMediaClient.carriesToken(URI.create("http://localhost:8081/sandbox/media/download/abc"), "localhost",
                SIMULATOR)).isTrue();
        // but not to a host the simulator is not on, even if Graph named it
        assertThat(GraphMediaClient.carriesToken(URI.create("http://files.example.com/x"), "files.example.com", SIMULATOR))
                .isFalse();
    }
}
