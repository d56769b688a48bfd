package wagateway.message;

import java.time.Clock;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import wagateway.config.GatewayConfig;
import wagateway.web.Problem;

import static org.assertj.core.api.Assertions.assertThat;

/** With {@code gateway.callbacks.per-message-urls=false} a message that gives a callbackUrl is a 422. */
class PerMessageCallbackUrlsOffTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();

    private static MessageRequestValidator validator(String perMessageUrls) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(GatewayConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("gateway.default-sender", "main",
                        "gateway.senders.main.phone-number-id", "1", "gateway.senders.main.access-token", "t",
                        "gateway.callbacks.per-message-urls", perMessageUrls), "test", 100))
                .build();
        return new MessageRequestValidator(config.getConfigMapping(GatewayConfig.class), Clock.systemUTC(), MAPPER);
    }

    private static SendMessageRequest request(String callbackUrl) throws Exception {
        String json = "{\"to\":\"+5511987654321\",\"type\":\"text\",\"text\":{\"body\":\"hi\"}"
                + (callbackUrl == null ? "" : ",\"callbackUrl\":\"" + callbackUrl + "\"") + "}";
        return MAPPER.readValue(json, SendMessageRequest.class);
    }

    @Test
    void aCallbackUrlIsRefusedWhenPerMessageUrlsAreOff() throws Exception {
        MessageRequestValidator.Result result = validator("false").validate(request("https://crm.example.com/events"),
                "k", null, "h");
        assertThat(result.valid()).isFalse();
        Problem problem = MessageIntakeService.problem(result);
        assertThat(problem.getStatus()).isEqualTo(422);
        assertThat(result.refusal().reason()).isEqualTo("callback_url_not_accepted");
        assertThat(result.refusal().field()).isEqualTo("callbackUrl");
        assertThat(result.refusal().detail()).contains("gateway.callbacks.per-message-urls=false");

        assertThat(validator("false").validate(request(null), "k", null, "h").valid()).as("without one: fine")
                .isTrue();
        assertThat(validator("true").validate(request("https://crm.example.com/events"), "k", null, "h").valid())
                .isTrue();
    }
}
