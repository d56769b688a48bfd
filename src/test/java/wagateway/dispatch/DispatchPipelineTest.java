package wagateway.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.vertx.mutiny.core.Vertx;
import wagateway.cloudapi.CloudApiClient;
import wagateway.cloudapi.RetryPolicy;
import wagateway.config.GatewayConfig;
import wagateway.message.OutboundQueue;
import wagateway.receipt.ReadReceipts;
import wagateway.testsupport.LogCapture;
import wagateway.testsupport.Management;
import wagateway.testsupport.SandboxCustomers;
import wagateway.testsupport.TestClockProducer;
import wagateway.testsupport.TestDb;
import wagateway.throttle.SenderLeases;
import wagateway.wakeup.QueueSignal;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The whole pipeline against the built-in sandbox, in process: accept → claim → rules → throttle →
 * Cloud API → outcome, with the sandbox's fault knobs for the error classes.
 */
@QuarkusTest
@TestProfile(DispatchTestProfile.class)
class DispatchPipelineTest {

    static final Duration PATIENCE = Duration.ofSeconds(30);

    @Inject
    MessageDispatcher dispatcher;
    @Inject
    OutboundQueue queue;
    @Inject
    SenderLeases leases;
    @Inject
    CloudApiClient cloudApi;
    @Inject
    CircuitBreakerMaintenance breakers;
    @Inject
    GatewayConfig config;
    @Inject
    Vertx vertx;
    @Inject
    ObjectMapper mapper;
    @Inject
    MeterRegistry metrics;
    @Inject
    ReadReceipts readReceipts;
    @Inject
    ClaimRules rules;
    @Inject
    RetryPolicy retries;
    @Inject
    QueueSignal signal;

    @AfterEach
    void reset() {
        given().contentType(ContentType.JSON).body("{}").put("/sandbox/faults").then().statusCode(200);
        TestClockProducer.CLOCK.reset();
        breakers.resetAll();
        TestDb.update("update sender_state set paused_until = null, pause_reason = null");
    }

    static Map<String, Object> text(String to, String body) {
        Map<String, Object> m = new HashMap<>();
        m.put("to", to);
        m.put("type", "text");
        m.put("text", Map.of("body", body));
        return m;
    }

    static Map<String, Object> template(String to, String name) {
        Map<String, Object> m = new HashMap<>();
        m.put("to", to);
        m.put("type", "template");
        m.put("category", "utility");
        m.put("template", Map.of("name", name, "language", Map.of("code", "en_US")));
        return m;
    }

    static String send(Map<String, Object> message) {
        return given().auth().oauth2("test-key").contentType(ContentType.JSON).body(message)
                .post("/v1/messages").then().statusCode(202).extract().path("id");
    }

    static JsonPath message(String id) {
        return given().auth().oauth2("test-key").get("/v1/messages/" + id).then().statusCode(200).extract().jsonPath();
    }

    static String awaitStatus(String id, String... statuses) {
        await().atMost(PATIENCE).until(() -> List.of(statuses).contains(message(id).getString("status")));
        return message(id).getString("status");
    }

    /** Sent, or further along: the sandbox's status webhooks move it on within milliseconds. */
    static final List<String> SENT = List.of("sent", "delivered", "read");

    static void awaitSent(String id) {
        await().atMost(PATIENCE).until(() -> SENT.contains(message(id).getString("status")));
    }

    static List<Map<String, Object>> sandboxMessages(String to) {
        return given().queryParam("to", to).get("/sandbox/messages").then().statusCode(200).extract().jsonPath().getList("$");
    }

    static void faults(String json) {
        given().contentType(ContentType.JSON).body(json).put("/sandbox/faults").then().statusCode(200);
    }

    @Test
    void sendsAReplyInsideTheWindowAndTellsMetaOurId() {
        String to = TestDb.freshPhone();
        SandboxCustomers.write(to);
        Map<String, Object> body = text(to, "Your order shipped");
        body.put("replyTo", "wamid.CUSTOMER-QUESTION");
        String id = send(body);
        awaitSent(id);
        JsonPath m = message(id);
        assertThat(m.getString("wamid")).startsWith("wamid.");
        assertThat(m.getInt("attempts")).isEqualTo(1);
        assertThat(m.getList("timeline.status")).contains("queued", "sent");
        var atSandbox = sandboxMessages(to);
        assertThat(atSandbox).hasSize(1);
        JsonPath request = JsonPath.from(mapperWrite(atSandbox.get(0).get("request")));
        assertThat(request.getString("biz_opaque_callback_data")).isEqualTo(id);
        assertThat(request.getString("context.message_id")).isEqualTo("wamid.CUSTOMER-QUESTION");
        assertThat(request.getString("to")).isEqualTo(to.substring(1));
        assertThat(request.getString("text.body")).isEqualTo("Your order shipped");
        assertThat(atSandbox.get(0).get("id")).isEqualTo(m.getString("wamid"));
    }

    @Test
    void closedWindowSendsTheFallbackTemplate() {
        String to = TestDb.freshPhone();
        TestDb.optIn(to);
        TestDb.update("delete from recipient_reach");
        Map<String, Object> body = text(to, "free-form that cannot go");
        body.put("fallbackTemplate", Map.of("name", "hello_world", "language", Map.of("code", "en_US")));
        body.put("category", "utility");
        String id = send(body);
        awaitSent(id);
        assertThat(message(id).getBoolean("sentFallbackTemplate")).isTrue();
        assertThat(sandboxMessages(to)).singleElement().satisfies(m -> assertThat(m.get("type")).isEqualTo("template"));
    }

    @Test
    void messagingLimitHoldsBusinessInitiatedMessagesButNeverReplies() {
        TestDb.update("delete from recipient_reach");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String to = TestDb.freshPhone();
            TestDb.optIn(to);
            ids.add(send(template(to, "hello_world")));
        }
        String replyTo = TestDb.freshPhone();
        SandboxCustomers.write(replyTo);
        String reply = send(text(replyTo, "a reply never counts"));
        awaitSent(reply);
        await().atMost(PATIENCE).until(() -> ids.stream().filter(id -> SENT.contains(message(id).getString("status")))
                .count() == 3
                && TestDb.count(
                        "select count(*) from outbound_message where id = any(?::uuid[]) and reason = 'tier_limit_exceeded'",
                        (Object) ids.toArray(String[]::new)) == 2);
        // a day later the oldest reaches leave the window: the held messages go
        TestClockProducer.CLOCK.advance(Duration.ofHours(24).plusMinutes(1));
        await().atMost(PATIENCE).until(() -> ids.stream().allMatch(id -> SENT.contains(message(id).getString("status"))));
    }

    @Test
    void allSendersShareOneMessagingLimit() {
        // rule 5: the limit is the portfolio's; with a cap of 3, two senders together reach 3 new recipients
        TestDb.update("delete from recipient_reach");
        List<String> ids = new ArrayList<>();
        for (String sender : List.of("main", "second", "main", "second")) {
            String to = TestDb.freshPhone();
            TestDb.optIn(to);
            Map<String, Object> body = template(to, "hello_world");
            body.put("from", sender);
            ids.add(send(body));
        }
        String[] all = ids.toArray(String[]::new);
        try {
            await().atMost(PATIENCE).until(() -> TestDb.count("select count(*) from outbound_message where id = any(?::uuid[]) "
                    + "and status in ('sent','delivered','read')", (Object) all) == 3
                    && TestDb.count("select count(*) from outbound_message where id = any(?::uuid[]) "
                            + "and status = 'queued' and reason = 'tier_limit_exceeded'", (Object) all) == 1);
            assertThat(TestDb.count("select count(*) from recipient_reach")).isEqualTo(3);
        } finally {
            // the held one would take room from the next test once it clears the budget
            TestDb.update("update outbound_message set status = 'cancelled' where id = any(?::uuid[]) and status = 'queued'",
                    (Object) all);
        }
    }

    @Test
    void aBusinessInitiatedMessageWhoseExpiryComesBeforeRoomInTheLimitExpires() {
        // rule 5: over the cap business-initiated messages wait for room, or expire
        TestDb.update("delete from recipient_reach");
        Instant now = TestClockProducer.CLOCK.instant();
        for (int i = 0; i < 3; i++) {
            TestDb.update("insert into recipient_reach (recipient, reached_at) values (?, ?)", TestDb.freshPhone(),
                    java.sql.Timestamp.from(now.minusSeconds(60)));
        }
        try {
            String to = TestDb.freshPhone();
            TestDb.optIn(to);
            Map<String, Object> body = template(to, "hello_world");
            body.put("ttl", "PT1H");
            String id = send(body);
            assertThat(awaitStatus(id, "expired")).isEqualTo("expired");
            assertThat(message(id).getInt("attempts")).isZero();
            assertThat(sandboxMessages(to)).isEmpty();
        } finally {
            TestDb.update("delete from recipient_reach");
        }
    }

    @Test
    void aSynchronous131047ClosesTheWindowInOurRecords() {
        // rule 2: our records say the customer wrote; Meta, answering at once, says the window is closed
        faults("{\"windowErrorSync\":true}");
        String to = TestDb.freshPhone();
        TestDb.openWindow(to, "main");
        String id = send(text(to, "we think the window is open"));
        assertThat(awaitStatus(id, "failed")).isEqualTo("failed");
        assertThat(message(id).getInt("error.code")).isEqualTo(131047);
        assertThat(TestDb.count("select count(*) from contact_window where phone = ? and sender = 'main' "
                + "and window_open_until <= now()", to)).isEqualTo(1);
        // the next free-form message is refused at once: the window is closed in our records too
        given().auth().oauth2("test-key").contentType(ContentType.JSON).body(text(to, "and now?")).post("/v1/messages")
                .then().statusCode(422).body("reason", equalTo("window_closed"));
        assertThat(sandboxMessages(to)).isEmpty();
    }

    /**
     * Spec §2 operations: /q/metrics has each family the spec lists — accepted, sent, delivered, read, failed,
     * rejected by reason, queue depth, dispatch latency, Cloud API latency and errors by code, throttle waits —
     * for what this test made happen.
     */
    @Test
    void theMetricsCountWhatThePipelineDid() {
        TestDb.update("delete from recipient_reach");
        String reader = TestDb.freshPhone();
        SandboxCustomers.write(reader);
        String read = send(text(reader, "first"));
        send(text(reader, "second, six seconds later")); // the pair rate holds it back
        Map<String, Object> due = text(TestDb.freshPhone(), "judged when due: no window");
        due.put("sendAt", Instant.now().plusSeconds(1).toString());
        String rejected = send(due);
        String failing = TestDb.freshPhone();
        TestDb.optIn(failing);
        String failed = send(template(failing, "no_such_template"));
        awaitStatus(read, "read");
        awaitStatus(rejected, "rejected");
        awaitStatus(failed, "failed");

        List<String> scraped = given().get(Management.url("/q/metrics")).then().statusCode(200)
                .extract().asString().lines().toList();
        assertThat(scraped).as("Prometheus text").anySatisfy(metric("wagateway_messages_accepted_total{"))
                .anySatisfy(metric("wagateway_messages_sent_total"))
                .anySatisfy(metric("wagateway_webhooks_statuses_total{", "status=\"delivered\""))
                .anySatisfy(metric("wagateway_webhooks_statuses_total{", "status=\"read\""))
                .anySatisfy(metric("wagateway_messages_failed_total{", "code=\"132001\""))
                .anySatisfy(metric("wagateway_messages_rejected_total{", "reason=\"window_closed\""))
                .anySatisfy(metric("wagateway_queue_depth{"))
                .anySatisfy(metric("wagateway_dispatch_latency_seconds_count"))
                .anySatisfy(metric("wagateway_cloudapi_latency_seconds_count{"))
                .anySatisfy(metric("wagateway_cloudapi_errors_total{", "code=\"132001\""))
                .anySatisfy(metric("wagateway_throttle_deferrals_total{", "reason=\"pair_rate\""));
    }

    /** A sample line of this metric (with these labels) whose value is a positive count, or any gauge value. */
    static Consumer<String> metric(String name, String... labels) {
        return line -> {
            assertThat(line).startsWith(name);
            for (String label : labels) {
                assertThat(line).contains(label);
            }
            if (!name.startsWith("wagateway_queue_depth")) {
                assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).isPositive();
            }
        };
    }

    /**
     * Spec §4: secrets never appear in logs (and, the project's rule, no full phone number), with the gateway
     * logging at DEBUG through a send, Meta's signed webhooks and a refused token.
     */
    @Test
    void noSecretOrFullPhoneNumberIsLogged() {
        try (LogCapture logged = LogCapture.start()) {
            String to = TestDb.freshPhone();
            SandboxCustomers.write(to);
            awaitStatus(send(text(to, "logged at debug")), "read");
            String other = TestDb.freshPhone();
            SandboxCustomers.writeTo("100000000000002", other);
            faults("{\"errorRates\":{\"190\":1.0}}");
            Map<String, Object> refused = text(other, "token trouble");
            refused.put("from", "second");
            send(refused);
            await().atMost(PATIENCE).until(() -> TestDb.count(
                    "select count(*) from sender_state where sender = 'second' and paused_until is not null") == 1);
            List<String> lines = logged.lines();
            assertThat(lines).as("log lines captured").isNotEmpty();
            List<String> secrets = List.of(config.senders().get("main").accessToken(),
                    config.senders().get("second").accessToken(), "test-app-secret", "test-callback-secret",
                    "test-verify-token", "test-key", to, to.substring(1), other, other.substring(1));
            for (String secret : secrets) {
                assertThat(lines).as("log lines holding %s", secret).noneMatch(l -> l.contains(secret));
            }
        }
    }

    @Test
    void aQueuedMessageHeldByThePairRateIsCancelledAndNeverSent() {
        String to = TestDb.freshPhone();
        SandboxCustomers.write(to);
        String first = send(text(to, "first"));
        String second = send(text(to, "second, held six seconds by the pair rate"));
        awaitSent(first);
        assertThat(message(second).getString("status")).isEqualTo("queued");
        given().auth().oauth2("test-key").delete("/v1/messages/" + second).then().statusCode(200)
                .body("status", equalTo("cancelled"));
        // past the pair interval: the cancelled message stays cancelled and never reaches the Cloud API
        await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20)).until(() -> true);
        assertThat(message(second).getString("status")).isEqualTo("cancelled");
        assertThat(sandboxMessages(to)).hasSize(1);
    }

    @Test
    void transientErrorsAreRetriedUntilSent() {
        String to = TestDb.freshPhone();
        SandboxCustomers.write(to);
        faults("{\"errorRates\":{\"131000\":1.0}}");
        String id = send(text(to, "retry me"));
        await().atMost(PATIENCE).until(() -> message(id).getInt("attempts") >= 2);
        JsonPath waiting = message(id);
        assertThat(waiting.getString("status")).isIn("queued", "sending");
        assertThat(waiting.getInt("error.code")).isEqualTo(131000);
        faults("{}");
        awaitSent(id);
    }

    @Test
    void permanentErrorsFailAtOnceWithTheCode() {
        String to = TestDb.freshPhone();
        TestDb.optIn(to);
        TestDb.update("delete from recipient_reach");
        String id = send(template(to, "no_such_template"));
        awaitStatus(id, "failed");
        JsonPath m = message(id);
        assertThat(m.getInt("error.code")).isEqualTo(132001);
        assertThat(m.getString("error.title")).isNotBlank();
        assertThat(m.getInt("attempts")).isEqualTo(1);
        assertThat(TestDb
                .count("select count(*) from event_outbox where message_id = ?::uuid and payload->>'status' = 'failed'", id))
                .isEqualTo(1);
    }

    @Test
    void aRefusedTokenPausesTheSenderAndKeepsItsQueue() {
        String to = TestDb.freshPhone();
        SandboxCustomers.writeTo("100000000000002", to);
        faults("{\"errorRates\":{\"190\":1.0}}");
        Map<String, Object> body = text(to, "token trouble");
        body.put("from", "second");
        String id = send(body);
        await().atMost(PATIENCE).until(() -> TestDb.count(
                "select count(*) from sender_state where sender = 'second' and paused_until is not null") == 1);
        JsonPath m = message(id);
        assertThat(m.getString("status")).isEqualTo("queued");
        assertThat(m.getInt("attempts")).isZero();
        assertThat(m.getInt("error.code")).isEqualTo(190);
        // the token is rotated and the pause lifted: the kept message goes
        faults("{}");
        TestDb.update("update sender_state set paused_until = null where sender = 'second'");
        TestDb.update("update outbound_message set next_attempt_at = now() - interval '1 second' where id = ?::uuid", id);
        awaitSent(id);
    }

    @Test
    void theBreakerOpensOnAnUnhealthyApiAndNothingIsLost() {
        faults("{\"errorRates\":{\"503\":1.0}}");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String to = TestDb.freshPhone();
            SandboxCustomers.write(to);
            ids.add(send(text(to, "storm " + i)));
        }
        await().atMost(PATIENCE).until(() -> breakers.currentState(CloudApiClient.BREAKER) == CircuitBreakerState.OPEN);
        assertThat(TestDb.count(
                "select count(*) from outbound_message where id = any(?::uuid[]) and status in ('failed','rejected','expired')",
                (Object) ids.toArray(String[]::new))).isZero();
        faults("{}");
        // half-open after its delay, closed after successful probes; every message then goes
        await().atMost(PATIENCE).until(() -> TestDb.count(
                "select count(*) from outbound_message where id = any(?::uuid[]) and status in ('sent','delivered','read')",
                (Object) ids.toArray(String[]::new)) == ids.size());
        assertThat(breakers.currentState(CloudApiClient.BREAKER)).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void perSenderRateHoldsAcrossTwoDispatchersOnOneDatabase() {
        int limit = config.senders().get("second").messagesPerSecond();
        List<Object> batch = new ArrayList<>();
        List<String> phones = new ArrayList<>();
        for (int i = 0; i < limit * 4; i++) {
            String to = TestDb.freshPhone();
            phones.add(to);
            SandboxCustomers.writeTo("100000000000002", to);
            Map<String, Object> m = text(to, "rate " + i);
            m.put("from", "second");
            batch.add(m);
        }
        // a second replica on the same database, competing for the sender
        MessageDispatcher replica = new MessageDispatcher(queue, rules, leases, cloudApi, breakers, config,
                TestClockProducer.CLOCK, vertx, mapper, metrics, readReceipts, retries, signal);
        given().auth().oauth2("test-key").contentType(ContentType.JSON).body(Map.of("messages", batch))
                .post("/v1/messages/batch").then().statusCode(202);
        // half-way, the first replica lets go of its lease: the other one takes over
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> {
            replica.poll().await().atMost(Duration.ofSeconds(5));
            long sent = TestDb.count(
                    "select count(*) from outbound_message where recipient = any(?) and status in ('sent','delivered','read')",
                    (Object) phones.toArray(String[]::new));
            if (sent >= limit * 2L && !handedOver) {
                handedOver = true;
                dispatcher.release().await().atMost(Duration.ofSeconds(5));
            }
            return sent == phones.size();
        });
        replica.stop();
        replica.release().await().atMost(Duration.ofSeconds(5));

        // at the API: each message once, and never more than the limit in any one-second window
        List<Instant> accepted = new ArrayList<>();
        for (String phone : phones) {
            var atSandbox = sandboxMessages(phone);
            assertThat(atSandbox).as("messages at the API for one recipient").hasSize(1);
            accepted.add(Instant.parse((String) atSandbox.get(0).get("acceptedAt")));
        }
        accepted.sort(null);
        int worst = 0;
        for (int i = 0, j = 0; i < accepted.size(); i++) {
            while (!accepted.get(j).plusSeconds(1).isAfter(accepted.get(i))) {
                j++;
            }
            worst = Math.max(worst, i - j + 1);
        }
        assertThat(worst).as("most sends in any one-second window; per second: %s", perSecondMillis(accepted))
                .isLessThanOrEqualTo(limit);
        assertThat(handedOver).isTrue();
    }

    private volatile boolean handedOver;

    private String mapperWrite(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> perSecondMillis(List<Instant> times) {
        return times.stream().map(t -> t.toString().substring(11, 23)).toList();
    }
}
