package wagateway.template;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The sender {@code main} belongs to the sandbox's account ({@code 100000000000000}); {@code second} to none, so
 * it keeps today's shape checks and static categories. The long interval keeps the timer out of the tests: they
 * sync on purpose.
 */
public class TemplateCatalogProfile implements QuarkusTestProfile {

    static final String WABA_ID = "100000000000000";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "gateway.wabas.main.id", WABA_ID,
                "gateway.wabas.main.senders", "main",
                "gateway.template-catalog.sync-interval", "PT1H",
                "gateway.dispatch.poll-interval", "PT0.25S");
    }
}
