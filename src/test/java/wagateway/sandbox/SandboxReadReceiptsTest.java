package wagateway.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import wagateway.testsupport.TestClockProducer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Read receipts and the typing indicator at the simulated Graph API: Meta's checks, the record tests and the
 * console read, and the same faults and throughput as sends.
 */
@QuarkusTest
@TestProfile(SandboxTestProfile.class)
class SandboxReadReceiptsTest extends SandboxTestBase {

    static String readBody(String wamid, String typing) {
        return "{\"messaging_product\":\"whatsapp\",\"status\":\"read\",\"message_id\":\"" + wamid + "\""
                + (typing == null ? "" : ",\"typing_indicator\":" + typing) + "}";
    }

    /** The customer writes; the sandbox knows the wamid once its webhook went out. */
    static String written(String phone) {
        String wamid = customerWrites(phone, "is my order on its way?");
        await().atMost(Duration.ofSeconds(10)).until(() -> thread(phone).getList("items.id").contains(wamid));
        return wamid;
    }

    static List<Map<String, Object>> reads(String wamid) {
        return given().queryParam("wamid", wamid).get("/sandbox/reads").then().statusCode(200).extract().jsonPath()
                .getList("$");
    }

    static JsonPath thread(String phone) {
        return given().queryParam("phone", phone).get("/sandbox/console/thread").then().statusCode(200).extract().jsonPath();
    }

    /** The console's entry for one customer message: {@code status} and {@code typing}. */
    static Map<String, Object> customerItem(String phone, String wamid) {
        return thread(phone).getMap("items.find { it.id == '" + wamid + "' }");
    }

    @Test
    void recordsAReadReceiptWithTypingAndShowsItInTheConsole() {
        String phone = newPhone();
        String wamid = written(phone);
        assertThat(customerItem(phone, wamid).get("status")).isEqualTo("received");

        send(readBody(wamid, "{\"type\":\"text\"}")).statusCode(200).body("success", equalTo(true));

        assertThat(reads(wamid)).singleElement().satisfies(call -> {
            assertThat(call.get("typing")).isEqualTo(true);
            assertThat(call.get("phoneNumberId")).isEqualTo(MAIN_ID);
            assertThat(call.get("phone")).isEqualTo(phone);
        });
        Map<String, Object> item = customerItem(phone, wamid);
        assertThat(item.get("status")).isEqualTo("read");
        assertThat(item.get("typing")).isEqualTo(true);
        // WhatsApp drops the indicator after 25 s
        TestClockProducer.CLOCK.advance(Duration.ofSeconds(26));
        assertThat(customerItem(phone, wamid)).doesNotContainKey("typing").containsEntry("status", "read");
    }

    @Test
    void aPlainReadReceiptCarriesNoTyping() {
        String wamid = written(newPhone());
        send(readBody(wamid, null)).statusCode(200);
        assertThat(reads(wamid)).singleElement().satisfies(call -> assertThat(call.get("typing")).isEqualTo(false));
    }

    @Test
    void refusesAMessageIdThisNumberDidNotReceive() {
        send(readBody("wamid.NEVER-WRITTEN", null)).statusCode(400).body("error.code", equalTo(100))
                .body("error.error_data.details", containsString("wamid.NEVER-WRITTEN"));
        String toMain = written(newPhone());
        post(SECOND_ID, SECOND_TOKEN, readBody(toMain, null)).statusCode(400).body("error.code", equalTo(100));
        assertThat(reads(null)).isEmpty();
    }

    @Test
    void typingIndicatorOnlyOfTypeTextAndOnlyWithARead() {
        String wamid = written(newPhone());
        send(readBody(wamid, "{\"type\":\"audio\"}")).statusCode(400).body("error.code", equalTo(131009));
        send(readBody(wamid, "\"text\"")).statusCode(400).body("error.code", equalTo(131009));
        send(readBody(wamid, "{\"type\":\"text\",\"extra\":1}")).statusCode(400).body("error.code", equalTo(131009));
        String phone = newPhone();
        written(phone);
        send("{\"messaging_product\":\"whatsapp\",\"to\":\"" + phone.substring(1)
                + "\",\"type\":\"text\",\"text\":{\"body\":\"hi\"},"
                + "\"typing_indicator\":{\"type\":\"text\"}}").statusCode(400).body("error.code", equalTo(100));
        assertThat(reads(null)).isEmpty();
    }

    @Test
    void injectedFaultsHitReadReceiptsToo() {
        String wamid = written(newPhone());
        setFaults("{\"errorRates\":{\"131000\":1.0}}");
        send(readBody(wamid, null)).statusCode(500).body("error.code", equalTo(131000));
        setFaults("{\"burst5xx\":1}");
        send(readBody(wamid, null)).statusCode(503);
        setFaults("{\"connectionResetRate\":1.0}");
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> send(readBody(wamid, null)));
        setFaults("{\"timeoutRate\":1.0}");
        var shortWait = io.restassured.config.RestAssuredConfig.config().httpClient(
                io.restassured.config.HttpClientConfig.httpClientConfig().setParam("http.socket.timeout", 500));
        org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class, () -> given().config(shortWait)
                .auth().oauth2(MAIN_TOKEN).contentType("application/json").body(readBody(wamid, null))
                .post("/sandbox/graph/v25.0/" + MAIN_ID + "/messages"));
        assertThat(reads(wamid)).as("no fault took a receipt").isEmpty();
        // delivery failures belong to sent messages: a read receipt has nothing to fail asynchronously
        setFaults("{\"errorRates\":{\"131026\":1.0}}");
        send(readBody(wamid, null)).statusCode(200);
        assertThat(reads(wamid)).hasSize(1);
    }

    @Test
    void readReceiptsTakeThroughputLikeMessages() {
        String phone = newPhone();
        List<String> wamids = new ArrayList<>();
        for (int i = 0; i <= SandboxTestProfile.MESSAGES_PER_SECOND; i++) {
            wamids.add(written(phone));
        }
        Instant at = Instant.now().plusSeconds(3600);
        List<Integer> codes = new ArrayList<>();
        for (String wamid : wamids) {
            pinClock(at);
            ValidatableResponse answer = send(readBody(wamid, null));
            codes.add(answer.extract().statusCode() == 200 ? 0 : answer.extract().path("error.code"));
        }
        assertThat(codes.subList(0, SandboxTestProfile.MESSAGES_PER_SECOND)).containsOnly(0);
        assertThat(codes.get(SandboxTestProfile.MESSAGES_PER_SECOND)).isEqualTo(130429);
        // and a message in the same second finds the number's second full too
        pinClock(at);
        send(textBody(phone, "now")).statusCode(429).body("error.code", equalTo(130429));
    }
}
