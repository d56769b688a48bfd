package wagateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that SmallRye's type mapping cannot express: cross-references between settings and the
 * secrets production needs. Pure: tests build a real {@link GatewayConfig} and call {@link #problems}.
 */
public final class GatewayConfigValidator {

    private static final Set<String> CATEGORIES = Set.of("utility", "marketing", "authentication");

    private GatewayConfigValidator() {
    }

    /** @return one human sentence per problem; empty when the configuration is usable */
    /** quarkus.rest.input-buffer-size: a body read in full is handed to Quarkus REST in one buffer of at most this. */
    static final long MAX_BODY_BYTES = 101L * 1024 * 1024;

    public static List<String> problems(GatewayConfig config, boolean production) {
        List<String> problems = new ArrayList<>();
        Map<String, GatewayConfig.Sender> senders = config.senders();
        if (senders.isEmpty()) {
            problems.add("No sender configured: set gateway.senders.<name>.phone-number-id and .access-token");
        }
        config.defaultSender().ifPresent(name -> {
            if (!senders.containsKey(name)) {
                problems.add("gateway.default-sender names '" + name + "', which is not a configured sender "
                        + "(configured: " + String.join(", ", senders.keySet()) + ")");
            }
        });
        if (config.defaultSender().isEmpty() && senders.size() > 1) {
            problems.add("Several senders are configured: set gateway.default-sender to the one used when 'from' is absent");
        }
        senders.forEach((name, sender) -> {
            if (sender.phoneNumberId().isBlank()) {
                problems.add("gateway.senders." + name + ".phone-number-id is empty");
            }
            if (sender.accessToken().isBlank()) {
                problems.add("gateway.senders." + name + ".access-token is empty");
            }
            if (sender.messagesPerSecond() < 1 || sender.messagesPerSecond() > 1000) {
                problems.add("gateway.senders." + name + ".messages-per-second must be between 1 and 1000, was "
                        + sender.messagesPerSecond());
            }
        });
        if (config.messagingLimit().dailyUniqueRecipients() < 0) {
            problems.add("gateway.messaging-limit.daily-unique-recipients must be 0 (unlimited) or more");
        }
        if (config.dispatch().lease().compareTo(Duration.ofSeconds(30)) < 0) {
            problems.add("gateway.dispatch.lease must be at least PT30S (a batch starts only with 15 s of lease left)");
        }
        if (notPositive(config.dispatch().drainBudget())) {
            problems.add("gateway.dispatch.drain-budget must be positive, was " + config.dispatch().drainBudget());
        }
        Duration margin = config.dispatch().rateSafetyMargin();
        if (margin.isNegative() || margin.compareTo(Duration.ofMillis(500)) > 0) {
            problems.add("gateway.dispatch.rate-safety-margin must be between PT0S and PT0.5S, was " + margin);
        }
        if (config.dispatch().batchSize() < 1 || config.dispatch().maxAttempts() < 1) {
            problems.add("gateway.dispatch.batch-size and gateway.dispatch.max-attempts must be at least 1");
        }
        if (config.inbound().typingOnArrival() && !config.inbound().markReadOnArrival()) {
            // the Cloud API only takes a typing indicator together with a read receipt
            problems.add("gateway.inbound.typing-on-arrival needs gateway.inbound.mark-read-on-arrival=true");
        }
        if (notPositive(config.media().inboundRetention()) || notPositive(config.media().uploadRetention())
                || notPositive(config.media().transferIdleTimeout())) {
            problems.add("gateway.media.inbound-retention, upload-retention and transfer-idle-timeout must be positive");
        }
        for (long limit : new long[] { config.api().maxBodyBytes(), config.api().maxBatchBodyBytes(),
                config.webhook().maxBodyBytes() }) {
            if (limit < 1 || limit > MAX_BODY_BYTES) {
                problems.add("gateway.api.max-body-bytes, gateway.api.max-batch-body-bytes and "
                        + "gateway.webhook.max-body-bytes must be between 1 and " + MAX_BODY_BYTES
                        + " (quarkus.rest.input-buffer-size), was " + limit);
                break;
            }
        }
        if (config.http().maxBufferedBodyBytes() < 1) {
            problems.add("gateway.http.max-buffered-body-bytes must be at least 1");
        }
        if (config.http().bodyTimeout().toMillis() < 1) {
            problems.add("gateway.http.body-timeout must be a positive duration, was " + config.http().bodyTimeout());
        }
        if (config.media().maxConcurrentUploads() < 0 || config.media().downloadConnections() < 1
                || config.media().graphConnections() < 1) {
            problems.add("gateway.media.max-concurrent-uploads must be 0 or more, download-connections and "
                    + "graph-connections at least 1");
        }
        GatewayConfig.Events events = config.events();
        if (events.pollInterval().toMillis() < 1 || events.keepAlive().toMillis() < 1) {
            problems.add("gateway.events.poll-interval and gateway.events.keep-alive must be positive durations");
        }
        if (notPositive(events.retention())) {
            problems.add("gateway.events.retention must be positive");
        }
        if (events.maxSubscribers() < 1) {
            problems.add("gateway.events.max-subscribers must be at least 1, was " + events.maxSubscribers());
        }
        GatewayConfig.Callbacks callbacks = config.callbacks();
        if (callbacks.batchSize() < 1 || callbacks.maxConcurrencyPerDestination() < 1 || callbacks.maxInFlight() < 1) {
            problems.add("gateway.callbacks.batch-size, max-concurrency-per-destination and max-in-flight must be at "
                    + "least 1");
        }
        if (notPositive(callbacks.timeout()) || notPositive(callbacks.pollInterval())
                || notPositive(callbacks.retryInitialBackoff()) || notPositive(callbacks.destinationInitialBackoff())
                || callbacks.destinationMaxBackoff().compareTo(callbacks.destinationInitialBackoff()) < 0) {
            problems.add("gateway.callbacks.timeout, poll-interval, retry-initial-backoff and "
                    + "destination-initial-backoff must be positive, destination-max-backoff at least the initial one");
        }
        if (config.webhook().applyBatchSize() < 1 || config.webhook().applyBatchSize() > 10_000) {
            problems.add("gateway.webhook.apply-batch-size must be between 1 and 10000, was "
                    + config.webhook().applyBatchSize());
        }
        GatewayConfig.Webhook webhook = config.webhook();
        if (notPositive(webhook.retryInitialBackoff())
                || webhook.retryMaxBackoff().compareTo(webhook.retryInitialBackoff()) < 0
                || notPositive(webhook.retention()) || webhook.maxApplyAttempts() < 1) {
            problems.add("gateway.webhook.retry-initial-backoff and retention must be positive, retry-max-backoff at "
                    + "least the initial one, max-apply-attempts at least 1");
        }
        if (config.cloudApi().timeout().compareTo(Duration.ofSeconds(15)) >= 0) {
            // a batch starts only with 15 s of sender lease left (MessageDispatcher.LEASE_MARGIN): a longer
            // call could outlive the lease and let another replica drive the same number meanwhile
            problems.add("gateway.cloud-api.timeout must be shorter than PT15S, was " + config.cloudApi().timeout());
        }
        if (config.pairRate().minInterval().isNegative()) {
            problems.add("gateway.pair-rate.min-interval must not be negative");
        }
        config.templates().forEach((name, template) -> {
            if (!CATEGORIES.contains(template.category())) {
                problems.add("gateway.templates." + name + ".category must be one of " + CATEGORIES + ", was '"
                        + template.category() + "'");
            }
        });
        java.util.Map<String, String> wabaOfSender = new java.util.HashMap<>();
        config.wabas().forEach((name, waba) -> {
            if (waba.senders().isEmpty()) {
                problems.add("gateway.wabas." + name + ".senders must name at least one sender");
            }
            for (String sender : waba.senders()) {
                if (!config.senders().containsKey(sender)) {
                    problems.add("gateway.wabas." + name + ".senders names '" + sender + "', which is not a configured "
                            + "sender (gateway.senders.<name>)");
                }
                String other = wabaOfSender.put(sender, name);
                if (other != null) {
                    problems.add("sender '" + sender + "' belongs to two accounts: gateway.wabas." + other + " and "
                            + "gateway.wabas." + name);
                }
            }
        });
        if (notPositive(config.templateCatalog().syncInterval())) {
            problems.add("gateway.template-catalog.sync-interval must be positive");
        }
        if (config.api().keys().map(List::isEmpty).orElse(true)) {
            problems.add("No API key configured: set gateway.api.keys (every /v1 call would be refused)");
        }
        if (production) {
            if (config.webhook().appSecret().map(String::isBlank).orElse(true)) {
                problems.add(
                        "gateway.webhook.app-secret is required in production: Meta's webhooks cannot be verified without it");
            }
            if (config.webhook().verifyToken().map(String::isBlank).orElse(true)) {
                problems.add("gateway.webhook.verify-token is required in production for Meta's verification handshake");
            }
            if ((callbacks.url().isPresent() || callbacks.perMessageUrls())
                    && callbacks.secret().map(String::isBlank).orElse(true)) {
                problems.add("gateway.callbacks.secret is required in production: callbacks are always signed, and they "
                        + "can be sent (" + (callbacks.url().isPresent() ? "gateway.callbacks.url is set"
                                : "messages may give a callbackUrl; gateway.callbacks.per-message-urls=false turns that off")
                        + ")");
            }
        }
        return problems;
    }

    private static boolean notPositive(Duration d) {
        return d.isZero() || d.isNegative();
    }
}
