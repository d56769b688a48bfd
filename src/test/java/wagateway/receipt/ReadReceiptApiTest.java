package wagateway.receipt;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import wagateway.dispatch.DispatchTestProfile;
import wagateway.testsupport.SandboxCustomers;
import wagateway.testsupport.TestClockProducer;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * {@code POST /v1/messages/{id}/read} end to end: real HTTP, real PostgreSQL, the sender's dispatcher and the
 * sandbox as the Cloud API. Same profile as the dispatch pipeline tests (one Quarkus start for both).
 */
@QuarkusTest
@TestProfile(DispatchTestProfile.class)
class ReadReceiptApiTest {

    static final Duration PATIENCE = Duration.ofSeconds(30);
    static final String SECOND_ID = "100000000000002";

    @Inject
    CircuitBreakerMaintenance breakers;
    @Inject
    MeterRegistry metrics;

    @AfterEach
    void reset() {
        faults("{}");
        TestClockProducer.CLOCK.reset();
        breakers.resetAll();
        TestDb.update("update sender_state set paused_until = null, pause_reason = null");
    }

    static void faults(String json) {
        given().contentType(ContentType.JSON).body(json).put("/sandbox/faults").then().statusCode(200);
    }

    /** The customer writes through the sandbox; returns our inbound row {id, wamid}. */
    static Map<String, Object> customerWrote(String phone, String phoneNumberId) {
        SandboxCustomers.writeTo(phoneNumberId, phone);
        return TestDb.query(
                "select id::text as id, wamid from inbound_message where from_phone = ? order by received_at desc limit 1",
                phone).get(0);
    }

    static ValidatableResponse read(String id, String body) {
        var request = given().auth().oauth2("test-key");
        if (body != null) {
            request = request.contentType(ContentType.JSON).body(body);
        }
        return request.post("/v1/messages/" + id + "/read").then();
    }

    static List<Map<String, Object>> readsAtSandbox(String wamid) {
        return given().queryParam("wamid", wamid).get("/sandbox/reads").then().statusCode(200).extract().jsonPath()
                .getList("$");
    }

    static Map<String, Object> row(String id) {
        return TestDb.query("select read_state, read_at, read_typing, read_attempts, read_error_code from inbound_message "
                + "where id = ?::uuid", id).get(0);
    }

    static void awaitState(String id, String state) {
        await().atMost(PATIENCE).until(() -> state.equals(row(id).get("read_state")));
    }

    @Test
    void aReadWithTypingGoesOnceAndTheMessageShowsRead() throws InterruptedException {
        String phone = TestDb.freshPhone();
        Map<String, Object> inbound = customerWrote(phone, "100000000000001");
        String id = (String) inbound.get("id");
        String wamid = (String) inbound.get("wamid");
        // the business learns our id from message.received
        assertThat(TestDb
                .count("select count(*) from event_outbox where type = 'message.received' and payload->>'messageId' = ?", id))
                .isEqualTo(1);

        read(id, "{\"typing\": true}").statusCode(202)
                .body("id", equalTo(id)).body("wamid", equalTo(wamid)).body("readState", equalTo("pending"))
                .body("readAt", nullValue()).body("typing", equalTo(true));
        awaitState(id, "sent");
        assertThat(row(id).get("read_at")).isNotNull();
        assertThat(readsAtSandbox(wamid)).singleElement().satisfies(call -> assertThat(call.get("typing")).isEqualTo(true));

        // asked again, by id or by wamid: the current state, and no second call
        read(id, null).statusCode(200).body("readState", equalTo("sent")).body("readAt", notNullValue())
                .body("typing", equalTo(true));
        read(wamid, "{\"typing\": false}").statusCode(200).body("id", equalTo(id)).body("readState", equalTo("sent"));
        Thread.sleep(1000); // a poll or two of the dispatcher: it must find nothing more to send
        assertThat(readsAtSandbox(wamid)).hasSize(1);
        assertThat(TestDb.count("select count(*) from event_outbox where type = 'message.read_receipt' "
                + "and payload->>'messageId' = ? and payload->>'readState' = 'sent'", id)).isEqualTo(1);
    }

    @Test
    void aPlainReadByWamidSendsNoTypingIndicator() {
        Map<String, Object> inbound = customerWrote(TestDb.freshPhone(), "100000000000001");
        String wamid = (String) inbound.get("wamid");
        read(wamid, null).statusCode(202).body("typing", equalTo(false));
        awaitState((String) inbound.get("id"), "sent");
        assertThat(readsAtSandbox(wamid)).singleElement().satisfies(call -> assertThat(call.get("typing")).isEqualTo(false));
    }

    @Test
    void unknownOutboundAndMalformedRequestsAreProblems() {
        read(UUID.randomUUID().toString(), null).statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:wagateway:problem:not-found"));
        read("wamid.NEVER-SEEN", null).statusCode(404).contentType("application/problem+json");

        String to = TestDb.freshPhone();
        SandboxCustomers.write(to);
        Map<String, Object> message = new HashMap<>(Map.of("to", to, "type", "text", "text", Map.of("body", "hello")));
        String outbound = given().auth().oauth2("test-key").contentType(ContentType.JSON).body(message)
                .post("/v1/messages").then().statusCode(202).extract().path("id");
        read(outbound, null).statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:wagateway:problem:not-inbound"));

        // written to a business number no sender is configured for: nobody could send its receipt
        String orphan = UUID.randomUUID().toString();
        TestDb.update(
                "insert into inbound_message (id, wamid, phone_number_id, sender, from_phone, type, content, sent_at, received_at) "
                        + "values (?::uuid, ?, '999999999999999', null, ?, 'text', '{}'::jsonb, now(), now())",
                orphan, "wamid.OTHER-NUMBER-" + orphan, TestDb.freshPhone());
        read(orphan, null).statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:wagateway:problem:no-sender"));

        String id = (String) customerWrote(TestDb.freshPhone(), "100000000000001").get("id");
        read(id, "{\"typing\": \"yes\"}").statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("typing"));
        read(id, "{\"typo\": true}").statusCode(400).contentType("application/problem+json");
        read(id, "[").statusCode(400).contentType("application/problem+json");
        assertThat(row(id).get("read_state")).as("a refused request asks for nothing").isNull();
        given().post("/v1/messages/" + id + "/read").then().statusCode(401);
    }

    @Test
    void transientFailuresAreRetriedUntilSent() {
        Map<String, Object> inbound = customerWrote(TestDb.freshPhone(), "100000000000001");
        String id = (String) inbound.get("id");
        faults("{\"errorRates\":{\"131000\":1.0}}");
        read(id, null).statusCode(202);
        await().atMost(PATIENCE).until(() -> ((Number) row(id).get("read_attempts")).intValue() >= 2);
        assertThat(row(id)).containsEntry("read_state", "pending").containsEntry("read_error_code", 131000);
        assertThat(readsAtSandbox((String) inbound.get("wamid"))).isEmpty();
        faults("{}");
        awaitState(id, "sent");
        assertThat(readsAtSandbox((String) inbound.get("wamid"))).hasSize(1);
    }

    @Test
    void aPermanentRefusalFailsWithTheCode() {
        // a message the Cloud API never delivered to this number: Meta refuses the receipt (100)
        String id = UUID.randomUUID().toString();
        TestDb.update(
                "insert into inbound_message (id, wamid, phone_number_id, sender, from_phone, type, content, sent_at, received_at) "
                        + "values (?::uuid, ?, '100000000000001', 'main', ?, 'text', '{}'::jsonb, now(), now())",
                id, "wamid.UNKNOWN-" + id, TestDb.freshPhone());
        double before = failedCount();
        read(id, null).statusCode(202);
        awaitState(id, "failed");
        assertThat(row(id)).containsEntry("read_error_code", 100).containsEntry("read_attempts", 1);
        assertThat(row(id).get("read_at")).isNull();
        read(id, null).statusCode(200).body("readState", equalTo("failed")).body("error.code", equalTo(100));
        assertThat(TestDb.count("select count(*) from event_outbox where type = 'message.read_receipt' "
                + "and payload->>'messageId' = ? and payload->>'readState' = 'failed' and payload->'error'->>'code' = '100'",
                id))
                .isEqualTo(1);
        assertThat(failedCount()).isEqualTo(before + 1);
    }

    private double failedCount() {
        var counter = metrics.find("wagateway_read_receipts_failed_total").tag("code", "100").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aRefusedTokenPausesTheSenderAndKeepsTheReceipt() {
        Map<String, Object> inbound = customerWrote(TestDb.freshPhone(), SECOND_ID);
        String id = (String) inbound.get("id");
        faults("{\"errorRates\":{\"190\":1.0}}");
        read(id, null).statusCode(202);
        await().atMost(PATIENCE).until(() -> TestDb.count(
                "select count(*) from sender_state where sender = 'second' and paused_until is not null") == 1);
        assertThat(row(id)).containsEntry("read_state", "pending").containsEntry("read_attempts", 0)
                .containsEntry("read_error_code", 190);
        faults("{}");
        TestDb.update("update sender_state set paused_until = null where sender = 'second'");
        TestDb.update("update inbound_message set read_next_attempt_at = now() - interval '1 second' where id = ?::uuid", id);
        awaitState(id, "sent");
    }

    /**
     * Read receipts spend the sender's permits: reads and sends of one sender together never pass its
     * messages-per-second in any one-second window at the API.
     */
    @Test
    void readReceiptsAndMessagesShareTheSendersRate() {
        int limit = 20; // gateway.senders.second.messages-per-second in DispatchTestProfile
        List<String> phones = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> wamids = new ArrayList<>();
        for (int i = 0; i < limit * 2; i++) {
            String phone = TestDb.freshPhone();
            Map<String, Object> inbound = customerWrote(phone, SECOND_ID);
            phones.add(phone);
            ids.add((String) inbound.get("id"));
            wamids.add((String) inbound.get("wamid"));
        }
        List<Object> batch = new ArrayList<>();
        for (String phone : phones) {
            batch.add(Map.of("to", phone, "from", "second", "type", "text", "text", Map.of("body", "thanks")));
        }
        given().auth().oauth2("test-key").contentType(ContentType.JSON).body(Map.of("messages", batch))
                .post("/v1/messages/batch").then().statusCode(202);
        for (String id : ids) {
            read(id, null).statusCode(202);
        }
        await().atMost(PATIENCE).until(() -> TestDb.count("select count(*) from inbound_message where id = any(?::uuid[]) "
                + "and read_state = 'sent'", (Object) ids.toArray(String[]::new)) == ids.size()
                && TestDb.count(
                        "select count(*) from outbound_message where recipient = any(?) and status in ('sent','delivered','read')",
                        (Object) phones.toArray(String[]::new)) == phones.size());

        List<Instant> calls = new ArrayList<>();
        for (String wamid : wamids) {
            var reads = readsAtSandbox(wamid);
            assertThat(reads).as("read receipts at the API for one message").hasSize(1);
            calls.add(Instant.parse((String) reads.get(0).get("at")));
        }
        for (String phone : phones) {
            List<Map<String, Object>> sent = given().queryParam("to", phone).get("/sandbox/messages").then().statusCode(200)
                    .extract().jsonPath().getList("$");
            assertThat(sent).hasSize(1);
            calls.add(Instant.parse((String) sent.get(0).get("acceptedAt")));
        }
        calls.sort(null);
        int worst = 0;
        for (int i = 0, j = 0; i < calls.size(); i++) {
            while (!calls.get(j).plusSeconds(1).isAfter(calls.get(i))) {
                j++;
            }
            worst = Math.max(worst, i - j + 1);
        }
        assertThat(worst).as("most calls (reads + sends) in any one-second window").isLessThanOrEqualTo(limit);
    }
}
