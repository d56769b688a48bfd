package wagateway.message;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * Every Cloud API message type through the public API: its happy path is accepted and stored as given,
 * and the Cloud API's limits are enforced at the edge with the field's path, before anything is stored.
 */
@QuarkusTest
class MessageTypesApiTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode envelope(String type, String content) {
        try {
            ObjectNode body = JSON.createObjectNode();
            body.put("type", type);
            body.set(type, JSON.readTree(content));
            if ("template".equals(type)) {
                body.put("category", "utility");
            }
            body.put("sendAt", Instant.now().plus(1, ChronoUnit.DAYS).toString());
            return body;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The content object of a Cloud API send-request fixture, as the business would pass it. */
    static String fixtureContent(String file, String type) {
        try (InputStream in = MessageTypesApiTest.class.getResourceAsStream("/fixtures/" + file)) {
            var node = JSON.readTree(in).get(type);
            if (node.has("type")) {
                ((ObjectNode) node).put("type", node.get("type").asText().toLowerCase());
            }
            return node.toString();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("fixture " + file, e);
        }
    }

    static Stream<Arguments> validMessages() {
        return Stream.of(
                Arguments.of("text", "{\"body\":\"Your order *A-1* shipped: https://example.com/t\",\"preview_url\":true}"),
                Arguments.of("image", "{\"link\":\"https://example.com/promo.jpg\",\"caption\":\"20% off\"}"),
                Arguments.of("video", "{\"id\":\"1234567890\",\"caption\":\"How to\"}"),
                Arguments.of("audio", "{\"id\":\"1234567890\"}"),
                Arguments.of("document",
                        "{\"link\":\"https://example.com/invoice.pdf\",\"filename\":\"invoice.pdf\",\"caption\":\"Invoice\"}"),
                Arguments.of("sticker", "{\"id\":\"1234567890\"}"),
                Arguments.of("location",
                        "{\"latitude\":-23.55,\"longitude\":-46.63,\"name\":\"Store\",\"address\":\"Av. Paulista\"}"),
                Arguments.of("contacts",
                        "[{\"name\":{\"formatted_name\":\"Support\"},\"phones\":[{\"phone\":\"+5511999999999\",\"type\":\"WORK\"}]}]"),
                Arguments.of("interactive", fixtureContent("send-request-interactive-buttons.json", "interactive")),
                Arguments.of("interactive", fixtureContent("send-request-interactive-list.json", "interactive")),
                Arguments.of("interactive",
                        "{\"type\":\"cta_url\",\"body\":{\"text\":\"Track it\"},\"action\":{\"name\":\"cta_url\","
                                + "\"parameters\":{\"display_text\":\"Track\",\"url\":\"https://example.com/t/1\"}}}"),
                Arguments.of("template", fixtureContent("send-request-template-currency-datetime.json", "template")),
                Arguments.of("reaction", "{\"message_id\":\"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI\",\"emoji\":\"👍\"}"));
    }

    @ParameterizedTest(name = "{0} {index}")
    @MethodSource("validMessages")
    void acceptsEveryTypeAndStoresItAsGiven(String type, String content) throws IOException {
        String to = TestDb.freshPhone();
        ObjectNode body = envelope(type, content);
        body.put("to", to);
        String id = given().auth().oauth2("test-key").contentType(ContentType.JSON).body(body.toString())
                .post("/v1/messages").then().statusCode(202).body("type", equalTo(type)).extract().path("id");
        String stored = (String) TestDb.query("select content::text as c from outbound_message where id = ?::uuid", id).get(0)
                .get("c");
        assertThat(JSON.readTree(stored).get(type)).isEqualTo(JSON.readTree(content));
    }

    static Stream<Arguments> brokenLimits() {
        String buttons4 = "{\"type\":\"button\",\"body\":{\"text\":\"Pick\"},\"action\":{\"buttons\":["
                + "{\"type\":\"reply\",\"reply\":{\"id\":\"a\",\"title\":\"A\"}},{\"type\":\"reply\",\"reply\":{\"id\":\"b\",\"title\":\"B\"}},"
                + "{\"type\":\"reply\",\"reply\":{\"id\":\"c\",\"title\":\"C\"}},{\"type\":\"reply\",\"reply\":{\"id\":\"d\",\"title\":\"D\"}}]}}";
        String longTitle = "{\"type\":\"button\",\"body\":{\"text\":\"Pick\"},\"action\":{\"buttons\":["
                + "{\"type\":\"reply\",\"reply\":{\"id\":\"a\",\"title\":\"" + "x".repeat(21) + "\"}}]}}";
        String duplicateIds = "{\"type\":\"button\",\"body\":{\"text\":\"Pick\"},\"action\":{\"buttons\":["
                + "{\"type\":\"reply\",\"reply\":{\"id\":\"a\",\"title\":\"A\"}},{\"type\":\"reply\",\"reply\":{\"id\":\"a\",\"title\":\"B\"}}]}}";
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 11; i++) {
            rows.append(i == 0 ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"title\":\"Row ").append(i)
                    .append("\"}");
        }
        String list11 = "{\"type\":\"list\",\"body\":{\"text\":\"Choose\"},\"action\":{\"button\":\"Options\","
                + "\"sections\":[{\"title\":\"All\",\"rows\":[" + rows + "]}]}}";
        return Stream.of(
                Arguments.of("text", "{\"body\":\"" + "a".repeat(4097) + "\"}", "text.body"),
                Arguments.of("image", "{\"link\":\"https://example.com/a.jpg\",\"caption\":\"" + "c".repeat(1025) + "\"}",
                        "image.caption"),
                Arguments.of("image", "{}", "image.id"),
                Arguments.of("interactive", buttons4, "interactive.action.buttons[3]"),
                Arguments.of("interactive", longTitle, "interactive.action.buttons[0].reply.title"),
                Arguments.of("interactive", duplicateIds, "interactive.action.buttons[1].reply.id"),
                Arguments.of("interactive", list11, "interactive.action.sections[0].rows[10]"),
                Arguments.of("location", "{\"latitude\":91,\"longitude\":0}", "location.latitude"),
                Arguments.of("reaction", "{\"emoji\":\"👍\"}", "reaction.message_id"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("brokenLimits")
    void refusesWhatTheCloudApiWouldRefuseWithThePathAndStoresNothing(String type, String content, String field) {
        String to = TestDb.freshPhone();
        ObjectNode body = envelope(type, content);
        body.put("to", to);
        given().auth().oauth2("test-key").contentType(ContentType.JSON).body(body.toString())
                .post("/v1/messages").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem(field));
        assertThat(TestDb.count("select count(*) from outbound_message where recipient = ?", to)).isZero();
    }
}
