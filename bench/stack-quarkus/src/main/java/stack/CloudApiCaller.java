package stack;

import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/** The REST client behind a circuit breaker, created at start as the gateway creates its own. */
@ApplicationScoped
public class CloudApiCaller {

    @RestClient
    CloudApi api;

    void onStart(@Observes StartupEvent event) {
        api.toString(); // the client is created now, not by the first call
    }

    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS)
    public Uni<JsonNode> send(JsonNode body) {
        return api.send(body);
    }
}
