package wagateway.sandbox;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import wagateway.cloudapi.CloudApiClient;
import wagateway.config.GatewayConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gateway.cloud-api.timeout} bounds a Cloud API call: this profile sets it to 1 s, and the sandbox's
 * timeout fault holds its answer for that + 1 s, so the call must fail with our timeout, naming the
 * configured value (a hard-coded bound would not).
 */
@QuarkusTest
@TestProfile(SandboxTestProfile.class)
class CloudApiTimeoutTest extends SandboxTestBase {

    @Inject
    CloudApiClient cloudApi;

    @Inject
    GatewayConfig config;

    @Inject
    ObjectMapper mapper;

    @Test
    void aCallWithoutAnswerFailsAfterTheConfiguredTimeout() throws Exception {
        setFaults("{\"timeoutRate\":1.0}");
        var body = mapper.readTree(templateBody(newPhone(), "hello_world", 0));

        Throwable failure = cloudApi.send(config.senders().get("main"), body)
                .onItem().transform(outcome -> (Throwable) null)
                .onFailure().recoverWithItem(t -> t)
                .await().atMost(Duration.ofSeconds(30));

        assertInstanceOf(TimeoutException.class, failure, "a call with no answer must fail with a timeout");
        assertTrue(failure.getMessage().contains("PT1S"), failure.getMessage());
        assertEquals(Duration.ofSeconds(1), config.cloudApi().timeout());
    }
}
