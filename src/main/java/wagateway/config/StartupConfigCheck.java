package wagateway.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;

/** Refuses to start on a configuration that cannot work, with one line per problem. */
@ApplicationScoped
public class StartupConfigCheck {

    void check(@Observes StartupEvent event, GatewayConfig config) {
        var problems = GatewayConfigValidator.problems(config, LaunchMode.current() == LaunchMode.NORMAL);
        if (!problems.isEmpty()) {
            problems.forEach(p -> Log.error("Configuration: " + p));
            throw new IllegalStateException("Invalid gateway configuration: " + String.join("; ", problems));
        }
        Log.infof("Senders: %s; default sender: %s; Cloud API: %s", config.senders().keySet(),
                config.defaultSender().orElse("<none>"), config.cloudApi().baseUrl());
    }
}
