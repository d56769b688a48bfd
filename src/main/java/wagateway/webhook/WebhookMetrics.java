package wagateway.webhook;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Webhook metrics: {@code wagateway_webhooks_received_total{outcome}}, {@code _applied_total},
 * {@code _failed_total} (stored webhooks given up on), {@code _inbound_total{type}} and the gauge
 * {@code wagateway_webhooks_inbox{state=pending|failed}} (rows; {@code failed} ones wait for
 * {@code POST /v1/webhooks/failed/reapply}). ({@code _statuses_total{status,outcome}} is counted where
 * statuses are applied, {@link wagateway.message.MetaStatusApplier}.)
 */
@ApplicationScoped
public class WebhookMetrics {

    private static final Set<String> TYPES = Set.of("text", "image", "video", "audio", "document", "sticker", "location",
            "contacts", "interactive", "button", "reaction", "order", "system", "unsupported", "revoke",
            "request_welcome");

    private final MeterRegistry registry;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("wagateway.webhooks.inbox", pending, AtomicLong::get).tag("state", "pending")
                .description("Stored webhooks not applied yet").register(registry);
        Gauge.builder("wagateway.webhooks.inbox", failed, AtomicLong::get).tag("state", "failed")
                .description("Stored webhooks that kept failing to apply").register(registry);
    }

    /** @param outcome accepted | duplicate (the same bytes seen before: not stored again) | unauthorized | malformed */
    void received(String outcome) {
        registry.counter("wagateway.webhooks.received", "outcome", outcome).increment();
    }

    void applied() {
        registry.counter("wagateway.webhooks.applied").increment();
    }

    void failed() {
        registry.counter("wagateway.webhooks.failed").increment();
    }

    void inbound(String type) {
        registry.counter("wagateway.webhooks.inbound", "type", TYPES.contains(type) ? type : "other").increment();
    }

    void inbox(long pendingRows, long failedRows) {
        pending.set(pendingRows);
        failed.set(failedRows);
    }
}
