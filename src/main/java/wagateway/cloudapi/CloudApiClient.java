package wagateway.cloudapi;

import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.arc.ClientProxy;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.mutiny.Uni;
import wagateway.config.GatewayConfig;

/**
 * The one way to the Cloud API. A timeout bounds every call; a named circuit breaker ({@value #BREAKER})
 * stops hammering an unhealthy API. There is no retry here on purpose: retries are durable, done by the
 * queue with backoff (one retry layer only), so nothing is lost while the breaker is open.
 *
 * <p>
 * Only answers that say the API is unhealthy (5xx, service-unavailable codes, timeouts, connection
 * errors) fail the returned Uni and count for the breaker; an error about one message or one sender
 * (invalid parameter, pair rate, bad token) completes it with {@link SendOutcome.Refused}.
 */
@ApplicationScoped
public class CloudApiClient {

    public static final String BREAKER = "cloud-api";
    /** Meta codes that mean "the service, not your message": they count as failures for the breaker. */
    static final Set<Integer> SERVICE_ERRORS = MetaErrorCodes.SERVICE;

    private final CloudApiRestClient rest;
    private final GatewayConfig config;
    private final MeterRegistry metrics;

    CloudApiClient(@RestClient CloudApiRestClient rest, GatewayConfig config, MeterRegistry metrics) {
        this.rest = rest;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Creates the REST client at start, on the main thread. Created by the first send instead, it belongs to the
     * Vert.x context of that call, which can be one of the HTTP server's verticles, and Vert.x closes a client
     * with the verticle that created it: at shutdown the HTTP server stops first and cuts the sends still in
     * flight ("Connection was closed"), which the graceful shutdown is there to let finish. (Hidden while the
     * Cloud API simulator ran inside the gateway: its own requests held the HTTP server open until they were
     * answered. GracefulShutdownIT, against the simulator as its own process, found it.)
     */
    void createRestClientAtStart(@Observes StartupEvent event) {
        ClientProxy.unwrap(rest);
    }

    /**
     * Sends one message body (already in the Cloud API's shape) from a sender's phone number.
     * {@code gateway.cloud-api.timeout} bounds the call: it is applied here on the {@code Uni} rather than
     * with {@code @Timeout}, whose value is an annotation constant and could not follow that property.
     * A timeout fails the call, so the breaker below counts it. Breaker settings can be tuned with
     * {@code quarkus.fault-tolerance."cloud-api".circuit-breaker.*}-style keys (see README "Resilience").
     */
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS, successThreshold = 2)
    @CircuitBreakerName(BREAKER)
    public Uni<SendOutcome> send(GatewayConfig.Sender sender, JsonNode body) {
        Timer.Sample sample = Timer.start(metrics);
        return rest.messages(config.cloudApi().version(), sender.phoneNumberId(), "Bearer " + sender.accessToken(), body)
                // cancelling the subscription aborts the HTTP request
                .ifNoItem().after(config.cloudApi().timeout())
                .failWith(() -> new TimeoutException("no Cloud API answer within " + config.cloudApi().timeout()))
                .map(answer -> (SendOutcome) new SendOutcome.Accepted(answer.path("messages").path(0).path("id").asText(null),
                        answer.path("messages").path(0).path("message_status").asText(null)))
                .onFailure(CloudApiException.class).recoverWithUni(e -> {
                    CloudApiException error = (CloudApiException) e;
                    if (error.httpStatus() >= 500 && !isMessageError(error) || SERVICE_ERRORS.contains(error.code())) {
                        return Uni.createFrom().failure(error);
                    }
                    return Uni.createFrom().item(new SendOutcome.Refused(error.httpStatus(), error.code(), error.title(),
                            error.details()));
                })
                .onItemOrFailure().invoke((outcome, failure) -> {
                    String result = failure != null ? "error"
                            : outcome instanceof SendOutcome.Accepted ? "accepted" : "refused";
                    String code = failure instanceof CloudApiException c && c.code() != null ? c.code().toString()
                            : outcome instanceof SendOutcome.Refused r && r.code() != null ? r.code().toString()
                                    : failure != null ? failure.getClass().getSimpleName() : "none";
                    sample.stop(metrics.timer("wagateway_cloudapi_latency", "result", result));
                    if (!"accepted".equals(result)) {
                        metrics.counter("wagateway_cloudapi_errors_total", "code", code).increment();
                    }
                });
    }

    /**
     * Meta sometimes answers a message-level error with HTTP 500 (one SDK test mocks 130429 that way):
     * a known message or throttling code is about the message, not the API's health.
     */
    private static boolean isMessageError(CloudApiException error) {
        return error.code() != null && !SERVICE_ERRORS.contains(error.code());
    }
}
