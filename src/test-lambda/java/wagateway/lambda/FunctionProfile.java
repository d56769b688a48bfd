package wagateway.lambda;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The function's own settings ({@code %lambda} in application.properties, what target/function.zip runs with) under
 * the test settings (the run's database, the test keys and secrets): profiles {@code lambda} then {@code test}, the
 * later one winning where both set a property.
 */
public class FunctionProfile implements QuarkusTestProfile {

    @Override
    public String getConfigProfile() {
        return "lambda,test";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        // the mock event server takes the run's free test port (wagateway.testsupport.FreeTestPortConfigSourceFactory)
        return Map.of("quarkus.lambda.mock-event-server.test-port", "${quarkus.http.test-port}");
    }
}
