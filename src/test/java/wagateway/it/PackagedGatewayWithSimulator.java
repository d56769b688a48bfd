package wagateway.it;

import java.util.HashMap;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import wagateway.testsupport.Management;

/**
 * What a {@code @QuarkusIntegrationTest} needs around the packaged production jar, set up as an operator would:
 * a database of its own, the simulator build as a separate process standing in for Meta (its webhooks go to
 * the port the jar is started on), and the production settings that join them, handed to the jar as system
 * properties. The jar runs with the production profile: it has no sandbox, and no sandbox setting.
 */
public class PackagedGatewayWithSimulator implements QuarkusTestResourceLifecycleManager {

    static final String API_KEY = "test-key";
    static final String PHONE_NUMBER_ID = "100000000000001";
    static final String ACCESS_TOKEN = "it-access-token";
    static final String APP_SECRET = "it-app-secret";

    private static volatile SimulatorProcess simulator;
    private ItDatabase database;

    /** The simulator the running tests use: play the customer at {@code simulatorUrl() + "/sandbox/…"}. */
    static String simulatorUrl() {
        return simulator.url();
    }

    @Override
    public Map<String, String> start() {
        int gatewayPort = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        try {
            database = ItDatabase.create();
            simulator = SimulatorProcess.start(Map.of(
                    "GATEWAY_SANDBOX_WEBHOOK_URL", "http://localhost:" + gatewayPort + "/webhooks/whatsapp",
                    "GATEWAY_SANDBOX_GATEWAY_URL", "http://localhost:" + gatewayPort,
                    "GATEWAY_SANDBOX_GATEWAY_API_KEY", API_KEY,
                    "GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID", PHONE_NUMBER_ID,
                    "GATEWAY_SENDERS_MAIN_ACCESS_TOKEN", ACCESS_TOKEN,
                    "GATEWAY_WEBHOOK_APP_SECRET", APP_SECRET));
        } catch (Exception e) {
            stop(); // leave no database or process behind; stop() may run again, it is idempotent
            throw new IllegalStateException("Cannot set up the packaged gateway's surroundings", e);
        }
        Map<String, String> gateway = new HashMap<>();
        gateway.put("quarkus.datasource.reactive.url", database.reactiveUrl());
        gateway.put("quarkus.datasource.username", ItDatabase.USER);
        gateway.put("gateway.api.keys", API_KEY);
        gateway.put("gateway.default-sender", "main");
        gateway.put("gateway.senders.main.phone-number-id", PHONE_NUMBER_ID);
        gateway.put("gateway.senders.main.access-token", ACCESS_TOKEN);
        gateway.put("gateway.webhook.app-secret", APP_SECRET);
        gateway.put("gateway.webhook.verify-token", "it-verify-token");
        gateway.put("gateway.callbacks.secret", "it-callback-secret"); // production needs it (callbacks can be sent)
        gateway.put("gateway.cloud-api.base-url", simulator.url() + "/sandbox/graph");
        // the jar's management interface on a free port of this run (health, metrics: testsupport.Management)
        gateway.put("quarkus.management.port", String.valueOf(Management.port()));
        return gateway;
    }

    @Override
    public void stop() {
        try {
            if (simulator != null) {
                simulator.close();
                simulator = null;
            }
            if (database != null) {
                database.close();
                database = null;
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot tear down the packaged gateway's surroundings", e);
        }
    }
}
