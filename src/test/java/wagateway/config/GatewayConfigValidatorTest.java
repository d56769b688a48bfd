package wagateway.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Builds the real {@link GatewayConfig} mapping from properties, as Quarkus does at start. */
class GatewayConfigValidatorTest {

    static Map<String, String> valid() {
        Map<String, String> p = new HashMap<>();
        p.put("gateway.api.keys", "k1,k2");
        p.put("gateway.default-sender", "main");
        p.put("gateway.senders.main.phone-number-id", "123");
        p.put("gateway.senders.main.access-token", "token");
        p.put("gateway.webhook.verify-token", "v");
        p.put("gateway.webhook.app-secret", "s");
        p.put("gateway.callbacks.secret", "cs");
        return p;
    }

    static GatewayConfig build(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(GatewayConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build();
        return config.getConfigMapping(GatewayConfig.class);
    }

    @Test
    void acceptsAWorkingConfigurationAndAppliesTheSpecDefaults() {
        GatewayConfig config = build(valid());
        assertThat(GatewayConfigValidator.problems(config, true)).isEmpty();
        assertThat(config.senders().get("main").messagesPerSecond()).isEqualTo(80);
        assertThat(config.messagingLimit().dailyUniqueRecipients()).isEqualTo(2000);
        assertThat(config.pairRate().minInterval()).hasSeconds(6);
        assertThat(config.cloudApi().baseUrl()).isEqualTo("https://graph.facebook.com");
        assertThat(config.optOut().keywords()).contains("STOP", "UNSUBSCRIBE", "PARAR", "SAIR", "CANCELAR", "BAJA");
    }

    @Test
    void dispatchLoopsByDefaultAndDrainsWhenAskedWithinAPositiveBudget() {
        GatewayConfig defaults = build(valid());
        assertThat(defaults.dispatch().mode()).isEqualTo(GatewayConfig.Mode.LOOP);
        assertThat(defaults.dispatch().drainBudget()).hasMinutes(5);
        Map<String, String> p = valid();
        p.put("gateway.dispatch.mode", "drain");
        p.put("gateway.dispatch.drain-budget", "PT30S");
        GatewayConfig drain = build(p);
        assertThat(drain.dispatch().mode()).isEqualTo(GatewayConfig.Mode.DRAIN);
        assertThat(GatewayConfigValidator.problems(drain, true)).isEmpty();
        p.put("gateway.dispatch.drain-budget", "PT0S");
        assertThat(GatewayConfigValidator.problems(build(p), true))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.dispatch.drain-budget"));
        p.put("gateway.dispatch.mode", "once");
        assertThatThrownBy(() -> build(p)).hasMessageContaining("gateway.dispatch.mode");
    }

    @Test
    void aSenderWithoutPhoneNumberIdFailsAtStartNamingTheProperty() {
        Map<String, String> p = valid();
        p.remove("gateway.senders.main.phone-number-id");
        assertThatThrownBy(() -> build(p)).hasMessageContaining("gateway.senders.main.phone-number-id");
    }

    @Test
    void anUnknownDefaultSenderIsRefused() {
        Map<String, String> p = valid();
        p.put("gateway.default-sender", "marketing");
        assertThat(GatewayConfigValidator.problems(build(p), false))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.default-sender").contains("marketing"));
    }

    @Test
    void anAccountMustNameConfiguredSendersEachInOneAccountOnly() {
        Map<String, String> p = valid();
        p.put("gateway.wabas.brand.id", "100000000000000");
        p.put("gateway.wabas.brand.senders", "main");
        assertThat(GatewayConfigValidator.problems(build(p), true)).isEmpty();
        assertThat(build(p).templateCatalog().syncInterval()).hasMinutes(15);

        p.put("gateway.wabas.brand.senders", "main,ghost");
        p.put("gateway.wabas.other.id", "200000000000000");
        p.put("gateway.wabas.other.senders", "main");
        assertThat(GatewayConfigValidator.problems(build(p), false))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.wabas.brand.senders").contains("ghost"))
                .anySatisfy(problem -> assertThat(problem).contains("sender 'main' belongs to two accounts"));
    }

    @Test
    void productionNeedsTheWebhookSecret() {
        Map<String, String> p = valid();
        p.remove("gateway.webhook.app-secret");
        assertThat(GatewayConfigValidator.problems(build(p), true))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.webhook.app-secret"));
        assertThat(GatewayConfigValidator.problems(build(p), false)).isEmpty();
    }

    @Test
    void productionNeedsTheCallbackSecretWheneverCallbacksCanBeSent() {
        // per-message callback URLs are on by default: callbacks can be sent even without a global URL
        Map<String, String> p = valid();
        p.remove("gateway.callbacks.secret");
        List<String> problems = GatewayConfigValidator.problems(build(p), true);
        assertThat(problems).singleElement().asString().contains("gateway.callbacks.secret",
                "gateway.callbacks.per-message-urls=false");
        assertThat(GatewayConfigValidator.problems(build(p), false)).isEmpty();

        Map<String, String> global = new HashMap<>(p);
        global.put("gateway.callbacks.per-message-urls", "false");
        global.put("gateway.callbacks.url", "https://crm.example.com/events");
        assertThat(GatewayConfigValidator.problems(build(global), true)).singleElement().asString()
                .contains("gateway.callbacks.secret", "gateway.callbacks.url is set");

        Map<String, String> none = new HashMap<>(p);
        none.put("gateway.callbacks.per-message-urls", "false");
        assertThat(GatewayConfigValidator.problems(build(none), true)).as("no callback can be sent").isEmpty();

        Map<String, String> signed = new HashMap<>(p);
        signed.put("gateway.callbacks.secret", "   ");
        assertThat(GatewayConfigValidator.problems(build(signed), true)).as("a blank secret is none").hasSize(1);
        signed.put("gateway.callbacks.secret", "s3cret");
        assertThat(GatewayConfigValidator.problems(build(signed), true)).isEmpty();
    }

    @Test
    void callbackAddressSettingsDefaultToProductionsStrictness() {
        GatewayConfig config = build(valid());
        assertThat(config.callbacks().perMessageUrls()).isTrue();
        assertThat(config.callbacks().allowLoopback()).isFalse();
        assertThat(config.callbacks().allowedHosts()).isEmpty();
        Map<String, String> p = valid();
        p.put("gateway.callbacks.allowed-hosts", "crm.internal,10.0.0.5:8443");
        assertThat(build(p).callbacks().allowedHosts()).hasValue(List.of("crm.internal", "10.0.0.5:8443"));
    }

    @Test
    void mediaDefaultsFollowMetaAndAZeroRetentionIsRefused() {
        GatewayConfig defaults = build(valid());
        assertThat(defaults.media().inboundRetention()).hasDays(7);
        assertThat(defaults.media().uploadRetention()).hasDays(30);
        assertThat(defaults.api().maxBodyBytes()).isEqualTo(256L * 1024);
        assertThat(defaults.api().maxBatchBodyBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(defaults.webhook().maxBodyBytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(defaults.http().bodyTimeout()).hasSeconds(30);
        Map<String, String> p = valid();
        p.put("gateway.media.inbound-retention", "PT0S");
        assertThat(GatewayConfigValidator.problems(build(p), false))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.media.inbound-retention"));
    }

    @Test
    void rateAboveMetasMaximumIsRefused() {
        Map<String, String> p = valid();
        p.put("gateway.senders.main.messages-per-second", "1001");
        assertThat(GatewayConfigValidator.problems(build(p), false))
                .anySatisfy(problem -> assertThat(problem).contains("messages-per-second"));
    }

    @Test
    void aCloudApiTimeoutMustEndWellInsideTheSenderLease() {
        Map<String, String> p = valid();
        p.put("gateway.cloud-api.timeout", "PT14S");
        assertThat(GatewayConfigValidator.problems(build(p), false)).isEmpty();
        p.put("gateway.cloud-api.timeout", "PT15S");
        assertThat(GatewayConfigValidator.problems(build(p), false))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.cloud-api.timeout"));
    }

    @Test
    void callbacksNeedASecretInProduction() {
        Map<String, String> p = valid();
        p.remove("gateway.callbacks.secret");
        p.put("gateway.callbacks.url", "https://example.com/hooks");
        assertThat(GatewayConfigValidator.problems(build(p), true))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.callbacks.secret"));
    }

    @Test
    void callbackDeliverySettingsAreChecked() {
        Map<String, String> p = valid();
        GatewayConfig defaults = build(p);
        assertThat(defaults.callbacks().maxConcurrencyPerDestination()).isEqualTo(16);
        assertThat(defaults.callbacks().maxInFlight()).isEqualTo(1024);
        p.put("gateway.callbacks.max-concurrency-per-destination", "0");
        assertThat(GatewayConfigValidator.problems(build(p), false))
                .anySatisfy(problem -> assertThat(problem).contains("max-concurrency-per-destination"));
        p.put("gateway.callbacks.max-concurrency-per-destination", "4");
        p.put("gateway.callbacks.destination-max-backoff", "PT0.5S");
        assertThat(GatewayConfigValidator.problems(build(p), false))
                .anySatisfy(problem -> assertThat(problem).contains("destination-max-backoff"));
    }

    @Test
    void eventStreamSettingsAreChecked() {
        Map<String, String> p = valid();
        assertThat(GatewayConfigValidator.problems(build(p), false)).isEmpty();
        p.put("gateway.events.poll-interval", "PT0S");
        p.put("gateway.events.max-subscribers", "0");
        assertThat(GatewayConfigValidator.problems(build(p), false))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.events.poll-interval"))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.events.max-subscribers"));
    }

    @Test
    void templateCategoriesAreChecked() {
        Map<String, String> p = valid();
        p.put("gateway.templates.order_update.category", "promo");
        assertThat(GatewayConfigValidator.problems(build(p), false))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.templates.order_update.category"));
    }

    @Test
    void typingOnArrivalNeedsMarkReadOnArrival() {
        Map<String, String> p = valid();
        p.put("gateway.inbound.typing-on-arrival", "true");
        assertThat(GatewayConfigValidator.problems(build(p), false))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.inbound.typing-on-arrival"));
        p.put("gateway.inbound.mark-read-on-arrival", "true");
        assertThat(GatewayConfigValidator.problems(build(p), false)).isEmpty();
    }

    @Test
    void noApiKeyIsAProblem() {
        Map<String, String> p = valid();
        p.remove("gateway.api.keys");
        assertThat(GatewayConfigValidator.problems(build(p), false))
                .anySatisfy(problem -> assertThat(problem).contains("gateway.api.keys"));
    }
}
