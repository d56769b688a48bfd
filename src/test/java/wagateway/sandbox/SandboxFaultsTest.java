package wagateway.sandbox;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import wagateway.sandbox.WebhookSink.Delivery;
import wagateway.support.Hmac;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault knobs, driven through {@code /sandbox/faults} with rates 0 and 1 so every outcome is certain. */
@QuarkusTest
@TestProfile(SandboxTestProfile.class)
class SandboxFaultsTest extends SandboxTestBase {

    @Test
    void injects131000() {
        setFaults("{\"errorRates\":{\"131000\":1.0}}");
        send(templateBody(newPhone(), "hello_world", 0))
                .statusCode(500).body("error.code", equalTo(131000))
                .body("error.message", equalTo("(#131000) Something went wrong"));
    }

    @Test
    void injects131016() {
        setFaults("{\"errorRates\":{\"131016\":1.0}}");
        send(templateBody(newPhone(), "hello_world", 0)).statusCode(503).body("error.code", equalTo(131016));
    }

    @Test
    void injectsBareServerErrors() {
        setFaults("{\"errorRates\":{\"500\":1.0}}");
        send(templateBody(newPhone(), "hello_world", 0)).statusCode(500).body("error.code", equalTo(1));
    }

    @Test
    void injectsThrottlingAnswers() {
        setFaults("{\"errorRates\":{\"130429\":1.0}}");
        send(templateBody(newPhone(), "hello_world", 0)).statusCode(429).body("error.code", equalTo(130429));
    }

    @Test
    void injectedAsyncCodesArriveAsFailedStatuses() {
        setFaults("{\"errorRates\":{\"131026\":1.0}}");
        String wamid = accepted(templateBody(newPhone(), "hello_world", 0));
        assertEquals(131026, Webhooks.awaitStatus(wamid, "failed").status().path("errors").path(0).path("code").asInt());
    }

    @Test
    void aZeroRateNeverFires() {
        setFaults("{\"errorRates\":{\"131000\":0.0},\"connectionResetRate\":0,\"timeoutRate\":0}");
        accepted(templateBody(newPhone(), "hello_world", 0));
    }

    @Test
    void answersABurstOf5xxThenRecovers() {
        setFaults("{\"burst5xx\":2}");
        send(templateBody(newPhone(), "hello_world", 0)).statusCode(503).body("error.code", equalTo(2));
        given().get("/sandbox/faults").then().body("burst5xx", equalTo(1));
        send(templateBody(newPhone(), "hello_world", 0)).statusCode(503);
        accepted(templateBody(newPhone(), "hello_world", 0));
        given().get("/sandbox/faults").then().body("burst5xx", equalTo(0));
    }

    @Test
    void resetsTheConnectionWithoutAnAnswer() {
        setFaults("{\"connectionResetRate\":1.0}");
        assertThrows(IOException.class, () -> send(templateBody(newPhone(), "hello_world", 0)));
        given().get("/sandbox/messages").then().body("$", empty());
    }

    @Test
    void answersNothingWithinTheClientTimeout() {
        setFaults("{\"timeoutRate\":1.0}");
        RestAssuredConfig shortWait = RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.socket.timeout", 500));
        assertThrows(SocketTimeoutException.class, () -> given().config(shortWait).auth().oauth2(MAIN_TOKEN)
                .contentType(ContentType.JSON).body(templateBody(newPhone(), "hello_world", 0))
                .post("/sandbox/graph/v25.0/" + MAIN_ID + "/messages"));
        given().get("/sandbox/messages").then().body("$", empty());
    }

    @Test
    void answersAfterTheConfiguredLatency() {
        setFaults("{\"latencyMinMs\":3000,\"latencyMaxMs\":3000}");
        RestAssuredConfig shortWait = RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.socket.timeout", 500));
        String customer = newPhone();
        assertThrows(SocketTimeoutException.class, () -> given().config(shortWait).auth().oauth2(MAIN_TOKEN)
                .contentType(ContentType.JSON).body(templateBody(customer, "hello_world", 0))
                .post("/sandbox/graph/v25.0/" + MAIN_ID + "/messages"));
        // the slow answer does not undo the send
        given().queryParam("to", customer).get("/sandbox/messages").then().body("$", hasSize(1));
    }

    @Test
    void delaysWebhooksWhenAsked() {
        setFaults("{\"webhookDelayMs\":60000}");
        String wamid = accepted(templateBody(newPhone(), "hello_world", 0));
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> Webhooks.statusesOf(wamid).isEmpty());
        given().get("/sandbox/messages").then().body("[0].status", equalTo("accepted"));
    }

    @Test
    void deliversWebhooksTwiceWhenAsked() {
        setFaults("{\"duplicateWebhookRate\":1.0}");
        String wamid = accepted(templateBody(newPhone(), "hello_world", 0));
        List<Delivery> deliveries = Webhooks.awaitStatuses(wamid, 6);
        List<Delivery> sent = deliveries.stream().filter(d -> d.status().path("status").asText().equals("sent")).toList();
        assertEquals(2, sent.size());
        assertArrayEquals(sent.get(0).body(), sent.get(1).body());
    }

    @Test
    void deliversStatusesOutOfOrderWhenAsked() {
        setFaults("{\"outOfOrderRate\":1.0}");
        String wamid = accepted(templateBody(newPhone(), "hello_world", 0));
        List<Delivery> deliveries = Webhooks.awaitStatuses(wamid, 3);
        // scheduled read → delivered → sent, 50 ms apart; each is its own HTTP request, so on a loaded
        // machine two neighbours may swap, but `sent` (scheduled 100 ms after `read`) never arrives first
        List<String> arrival = Webhooks.statusNamesOf(wamid);
        assertEquals(java.util.Set.of("read", "delivered", "sent"), java.util.Set.copyOf(arrival));
        assertTrue(!arrival.get(0).equals("sent") && !arrival.equals(List.of("sent", "delivered", "read")), arrival::toString);
        // the timestamps still tell the true order
        long read = deliveries.stream().filter(d -> d.status().path("status").asText().equals("read")).findFirst()
                .orElseThrow().status().path("timestamp").asLong();
        long sent = deliveries.stream().filter(d -> d.status().path("status").asText().equals("sent")).findFirst()
                .orElseThrow().status().path("timestamp").asLong();
        assertTrue(sent <= read);
        deliveries.forEach(d -> assertTrue(Hmac.verify(SandboxTestProfile.APP_SECRET, d.body(), d.signature())));
        // what the sandbox reports as the message's status never goes back
        given().get("/sandbox/messages").then().body("[0].status", equalTo("read"));
    }

    @Test
    void showsAndReplacesTheKnobs() {
        setFaults("{\"latencyMinMs\":5,\"latencyMaxMs\":20,\"errorRates\":{\"131000\":0.25},\"webhookDelayMs\":10}");
        given().get("/sandbox/faults").then()
                .body("latencyMinMs", equalTo(5))
                .body("latencyMaxMs", equalTo(20))
                .body("errorRates.131000", equalTo(0.25f))
                .body("webhookDelayMs", equalTo(10))
                .body("timeoutRate", equalTo(0.0f))
                .body("windowErrorSync", equalTo(false));
        given().post("/sandbox/reset").then().statusCode(200);
        given().get("/sandbox/faults").then().body("errorRates", anEmptyMap()).body("latencyMaxMs", equalTo(0));
    }

    @Test
    void refusesKnobsOutOfRange() {
        given().contentType(ContentType.JSON)
                .body("{\"timeoutRate\":1.5,\"errorRates\":{\"999\":0.5},\"latencyMinMs\":-1}")
                .when().put("/sandbox/faults")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItems("timeoutRate", "errorRates.999", "latencyMinMs"));
    }
}
