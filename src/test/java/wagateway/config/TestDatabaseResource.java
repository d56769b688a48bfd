package wagateway.config;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Hands the run's {@link TestDatabase} to the packaged application an integration test starts
 * ({@code @WithTestResource(TestDatabaseResource.class)} on a {@code @QuarkusIntegrationTest}): Quarkus passes
 * what {@link #start()} returns to the launched process as configuration.
 */
public class TestDatabaseResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> props = new HashMap<>(TestDatabase.properties(TestDatabase::fromEnvironment));
        // a packaged application has no Dev Services (a build-time setting it would only warn about)
        props.remove("quarkus.datasource.devservices.enabled");
        return props;
    }

    @Override
    public void stop() {
        // the database lives as long as the test run: TestDatabase drops it when the JVM exits
    }
}
