package wagateway.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The packaged production jar started as its own process, with the settings every integration test gives it (one
 * sender {@code main}, the webhook and callback secrets, the API key {@code it-key}); each test adds its own.
 */
final class PackagedGateway {

    static final String API_KEY = "it-key";
    static final String MAIN_PHONE_NUMBER_ID = "100000000000001";

    private PackagedGateway() {
    }

    /** A new, mutable map: the settings of a production start on {@code database}'s URL and {@code cloudApi}. */
    static Map<String, String> environment(int httpPort, int managementPort, String reactiveUrl, String cloudApi) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", reactiveUrl);
        env.put("QUARKUS_DATASOURCE_USERNAME", ItDatabase.USER);
        env.put("GATEWAY_API_KEYS", API_KEY);
        env.put("GATEWAY_DEFAULT_SENDER", "main");
        env.put("GATEWAY_SENDERS_MAIN_PHONE_NUMBER_ID", MAIN_PHONE_NUMBER_ID);
        env.put("GATEWAY_SENDERS_MAIN_ACCESS_TOKEN", "it-token");
        env.put("GATEWAY_WEBHOOK_APP_SECRET", "it-secret");
        env.put("GATEWAY_WEBHOOK_VERIFY_TOKEN", "it-verify");
        env.put("GATEWAY_CALLBACKS_SECRET", "it-callback-secret");
        env.put("GATEWAY_CLOUD_API_BASE_URL", cloudApi);
        return env;
    }

    /** Starts target/quarkus-app with exactly {@code env} added to this JVM's environment, output to {@code log}. */
    static Process start(Map<String, String> env, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(SimulatorProcess.javaBinary(), "-jar",
                "target/quarkus-app/quarkus-run.jar").redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return builder.start();
    }
}
