package wagateway.sandbox;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.logging.Log;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import wagateway.config.GatewayConfig;
import wagateway.support.Hmac;

/**
 * POSTs webhooks to {@code gateway.sandbox.webhook-url} as Meta does: JSON signed with
 * {@code X-Hub-Signature-256: sha256=<hex HMAC of the exact bytes>} (key: gateway.webhook.app-secret),
 * retried with exponential backoff when the receiver does not answer 2xx. Everything runs on Vert.x
 * timers; nothing blocks. A {@link #reset()} drops deliveries scheduled before it.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class WebhookDeliverer {

    static final String SIGNATURE_HEADER = "X-Hub-Signature-256";
    /** Meta retries for days; a simulator gives up sooner. */
    static final int MAX_ATTEMPTS = 5;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    /** Concurrent webhook requests to the gateway: Meta also delivers in parallel. */
    static final int MAX_CONNECTIONS = 32;

    private final Vertx vertx;
    private final WebClient client;
    private final ObjectMapper mapper;
    private final FaultInjector faults;
    private final String url;
    private final Optional<String> appSecret;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicBoolean warnedUnsigned = new AtomicBoolean();

    WebhookDeliverer(Vertx vertx, ObjectMapper mapper, FaultInjector faults, GatewayConfig config, SandboxConfig sandbox) {
        this.vertx = vertx;
        this.mapper = mapper;
        this.faults = faults;
        this.url = sandbox.webhookUrl();
        this.appSecret = config.webhook().appSecret().filter(s -> !s.isBlank());
        // Vert.x's default of 5 connections per host queued thousands of status webhooks per second behind
        // each other until they ran into the 10 s timeout and were retried: the flood fed itself (bench).
        this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000)
                .setMaxPoolSize(MAX_CONNECTIONS).setUserAgent("facebookexternalua"));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /**
     * Delivers {@code payload} after {@code delay} plus the configured extra webhook delay (twice, when the
     * dice say so); {@code onDue} runs when it goes out (the sandbox records what it reported).
     */
    public void deliver(ObjectNode payload, Duration delay, Runnable onDue) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise a sandbox webhook", e);
        }
        long scheduledIn = generation.get();
        int copies = faults.duplicateWebhook() ? 2 : 1;
        long ms = Math.max(1, delay.plus(faults.webhookDelay()).toMillis());
        vertx.setTimer(ms, id -> {
            if (scheduledIn != generation.get()) {
                return;
            }
            onDue.run();
            for (int i = 0; i < copies; i++) {
                post(body, 1, scheduledIn);
            }
        });
    }

    /** Forgets every delivery scheduled so far (pending timers fire into nothing). */
    public void reset() {
        generation.incrementAndGet();
    }

    String url() {
        return url;
    }

    private void post(byte[] body, int attempt, long scheduledIn) {
        if (scheduledIn != generation.get()) {
            return;
        }
        var request = client.postAbs(url).putHeader(HttpHeaders.CONTENT_TYPE.toString(), "application/json")
                .timeout(10_000);
        appSecret.ifPresentOrElse(secret -> request.putHeader(SIGNATURE_HEADER, Hmac.sign(secret, body)), () -> {
            if (warnedUnsigned.compareAndSet(false, true)) {
                Log.warn("Sandbox webhooks go unsigned: gateway.webhook.app-secret is not set");
            }
        });
        // Deliveries are background work started by a timer, not part of any request: this is where the
        // pipeline starts, so it subscribes here and handles both outcomes itself.
        request.sendBuffer(Buffer.buffer(body)).subscribe().with(
                response -> onAnswer(response, body, attempt, scheduledIn),
                failure -> retry(body, attempt, scheduledIn, failure.toString()));
    }

    private void onAnswer(HttpResponse<Buffer> response, byte[] body, int attempt, long scheduledIn) {
        if (response.statusCode() / 100 == 2) {
            Log.debugf("Sandbox webhook delivered (HTTP %d, attempt %d)", response.statusCode(), attempt);
        } else {
            retry(body, attempt, scheduledIn, "HTTP " + response.statusCode());
        }
    }

    private void retry(byte[] body, int attempt, long scheduledIn, String why) {
        if (attempt >= MAX_ATTEMPTS || scheduledIn != generation.get()) {
            Log.warnf("Sandbox webhook to %s dropped after %d attempts: %s", url, attempt, why);
            return;
        }
        long backoff = FIRST_RETRY.toMillis() << (attempt - 1);
        Log.debugf("Sandbox webhook attempt %s failed (%s); retry in %s ms", (Object) attempt, why, (Object) backoff);
        vertx.setTimer(backoff, id -> post(body, attempt + 1, scheduledIn));
    }
}
