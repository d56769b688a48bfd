package wagateway.event;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import wagateway.testsupport.Management;
import wagateway.testsupport.SseClient;
import wagateway.testsupport.SseClient.Frame;
import wagateway.testsupport.TestDb;
import wagateway.webhook.MetaWebhooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /v1/events}: commit order without loss, resumption with Last-Event-ID, filters, limits, outages. */
@QuarkusTest
class EventStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    EventStream stream;

    private final List<SseClient> clients = new ArrayList<>();

    @BeforeEach
    void noStreamLeftOpen() {
        await().atMost(WAIT).until(() -> stream.subscribers() == 0);
    }

    @AfterEach
    void closeStreams() {
        clients.forEach(SseClient::close);
    }

    private SseClient open(String pathAndQuery, String lastEventId) {
        SseClient client = SseClient.open(pathAndQuery, lastEventId);
        clients.add(client);
        return client;
    }

    /** Inserts an event as a caller's transaction would, uncommitted; @return its event id */
    private static long insert(Connection tx, String phone, String label) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement("insert into event_outbox (type, contact_phone, payload, state, "
                + "next_attempt_at, created_at) values ('message.status', ?, ?::jsonb, 'none', now(), now()) returning id")) {
            ps.setString(1, phone);
            ps.setString(2, new JsonObject().put("label", label).encode());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long committed(String phone, String label) {
        try (Connection c = TestDb.connect()) {
            return insert(c, phone, label);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> labels(SseClient client) {
        return client.events().stream().map(f -> new JsonObject(f.data()).getString("label")).toList();
    }

    private static List<Long> positions(SseClient client) {
        return client.events().stream().map(f -> Long.parseLong(f.id())).toList();
    }

    @Test
    void aTransactionThatCommitsLateIsStreamedAfterTheOthersExactlyOnceLiveAndOnReconnect() throws Exception {
        String phone = TestDb.freshPhone();
        String path = "/v1/events?contact=%2B" + phone.substring(1);
        SseClient live = open(path, null);
        committed(phone, "start");
        await().atMost(WAIT).until(() -> labels(live).equals(List.of("start")));
        String start = live.events().get(0).id();

        try (Connection early = TestDb.connect(); Connection late = TestDb.connect()) {
            early.setAutoCommit(false);
            late.setAutoCommit(false);
            long smaller = insert(early, phone, "smaller-id-commits-last");
            long larger = insert(late, phone, "larger-id-commits-first");
            assertThat(smaller).isLessThan(larger);
            late.commit();
            await().atMost(WAIT).until(() -> labels(live).size() == 2);
            // a subscriber that reconnects while the earlier transaction is still open
            SseClient midway = open(path, start);
            await().atMost(WAIT).until(() -> labels(midway).equals(List.of("larger-id-commits-first")));
            early.commit();

            await().atMost(WAIT).until(() -> labels(live).size() == 3 && labels(midway).size() == 2);
            SseClient reconnected = open(path, start);
            SseClient byQuery = open(path + "&lastEventId=" + live.events().get(1).id(), null);

            // a last event after all of them: anything duplicated or late would come before it
            committed(phone, "end");
            for (SseClient client : List.of(live, midway, reconnected, byQuery)) {
                await().atMost(WAIT).until(() -> labels(client).contains("end"));
            }
            assertThat(labels(live)).containsExactly("start", "larger-id-commits-first", "smaller-id-commits-last", "end");
            assertThat(labels(midway)).containsExactly("larger-id-commits-first", "smaller-id-commits-last", "end");
            assertThat(labels(reconnected)).containsExactly("larger-id-commits-first", "smaller-id-commits-last", "end");
            assertThat(labels(byQuery)).containsExactly("smaller-id-commits-last", "end");
            assertThat(positions(live)).isSorted().doesNotHaveDuplicates();
            assertThat(positions(reconnected)).isEqualTo(positions(live).subList(1, 4));
            // the body carries the event id the callbacks use, whatever the stream position
            Frame lateOne = live.events().get(2);
            assertThat(new JsonObject(lateOne.data()).getString("id")).isEqualTo(String.valueOf(smaller));
            assertThat(lateOne.event()).isEqualTo("message.status");
        }
    }

    @Test
    void streamsTheCallbackBodyOfAnInboundMessageAndFiltersByType() {
        String waId = MetaWebhooks.freshWaId();
        String phone = "+" + waId;
        SseClient received = open("/v1/events?types=message.received&contact=%2B" + waId, null);
        SseClient statuses = open("/v1/events?types=message.status&contact=%2B" + waId, null);
        MetaWebhooks.postApplied(MetaWebhooks.text(waId, "Is my order on its way?"));
        committed(phone, "a status");

        await().atMost(WAIT).until(() -> received.events().size() == 1 && statuses.events().size() == 1);
        Frame event = received.events().get(0);
        assertThat(event.event()).isEqualTo("message.received");
        JsonObject body = new JsonObject(event.data());
        var row = TestDb.query("select id, type, created_at, payload::text as payload from event_outbox "
                + "where contact_phone = ? and type = 'message.received'", phone).get(0);
        JsonObject callbackBody = EventBody.of((Long) row.get("id"), (String) row.get("type"),
                ((java.sql.Timestamp) row.get("created_at")).toInstant(), new JsonObject((String) row.get("payload")));
        assertThat(body).isEqualTo(callbackBody);
        assertThat(body.getString("type")).isEqualTo("message.received");
        assertThat(body.encode()).contains("Is my order on its way?");
        assertThat(statuses.events().get(0).event()).isEqualTo("message.status");
    }

    @Test
    void keepsIdleStreamsOpenWithCommentPings() {
        SseClient idle = open("/v1/events?contact=%2B" + TestDb.freshPhone().substring(1), null);
        assertThat(idle.status()).isEqualTo(200);
        assertThat(idle.contentType()).startsWith("text/event-stream");
        // %test.gateway.events.keep-alive=PT1S
        await().atMost(WAIT).until(() -> idle.saw("ping"));
        assertThat(idle.events()).isEmpty();
    }

    @Test
    void resumesAfterTheDatabaseDroppedEveryConnection() {
        String phone = TestDb.freshPhone();
        SseClient client = open("/v1/events?contact=%2B" + phone.substring(1), null);
        committed(phone, "before");
        await().atMost(WAIT).until(() -> labels(client).equals(List.of("before")));
        // what a database restart does to the gateway's pool: every connection of this test database dies
        TestDb.query("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                + "where datname = current_database() and pid <> pg_backend_pid()");
        committed(phone, "after");
        await().atMost(Duration.ofSeconds(40)).until(() -> labels(client).equals(List.of("before", "after")));
    }

    @Test
    void aLastEventIdThisStreamNeverGaveStartsFromNowWithAReset() {
        String phone = TestDb.freshPhone();
        SseClient client = open("/v1/events?contact=%2B" + phone.substring(1), "999999999999");
        await().atMost(WAIT).until(() -> !client.events().isEmpty());
        Frame reset = client.events().get(0);
        assertThat(reset.event()).isEqualTo("stream.reset");
        assertThat(new JsonObject(reset.data()).getString("reason")).contains("not a position of this stream");
        long next = committed(phone, "next");
        await().atMost(WAIT).until(() -> client.events().size() == 2);
        assertThat(new JsonObject(client.events().get(1).data()).getString("id")).isEqualTo(String.valueOf(next));
        assertThat(Long.parseLong(client.events().get(1).id())).isGreaterThan(Long.parseLong(reset.id()));
    }

    @Test
    void anIdOlderThanTheOutboxStillHoldsStartsWithAResetThenTheOldestRetained() {
        String phone = TestDb.freshPhone();
        SseClient live = open("/v1/events?contact=%2B" + phone.substring(1), null);
        committed(phone, "purged");
        committed(phone, "kept");
        await().atMost(WAIT).until(() -> labels(live).size() == 2);
        long purged = Long.parseLong(live.events().get(0).id());
        // what a retention purge does: everything up to this event is gone
        TestDb.update("delete from event_outbox where position <= ?", purged);

        SseClient late = open("/v1/events?contact=%2B" + phone.substring(1), String.valueOf(purged - 1));
        await().atMost(WAIT).until(() -> late.events().size() == 2);
        assertThat(late.events().get(0).event()).isEqualTo("stream.reset");
        assertThat(new JsonObject(late.events().get(0).data()).getString("reason")).contains("no longer retained");
        assertThat(labels(late).get(1)).isEqualTo("kept");
    }

    @Test
    void refusesBadParametersAndMissingKeysWithProblems() {
        given().auth().oauth2("test-key").queryParam("contact", "12345").when().get("/v1/events").then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.equalTo("urn:wagateway:problem:validation"));
        given().auth().oauth2("test-key").header("Last-Event-ID", "abc").when().get("/v1/events").then()
                .statusCode(400).contentType("application/problem+json");
        given().auth().oauth2("test-key").queryParam("types", "message.status,DROP TABLE").when().get("/v1/events")
                .then().statusCode(400);
        given().when().get("/v1/events").then().statusCode(401);
    }

    @Test
    void refusesOneSubscriberMoreThanTheReplicaTakes() {
        // %test.gateway.events.max-subscribers=6
        String path = "/v1/events?contact=%2B" + TestDb.freshPhone().substring(1);
        for (int i = 0; i < 6; i++) {
            assertThat(open(path, null).status()).isEqualTo(200);
        }
        // admission is counted at once; a stream registers (and shows in the gauge) after its contact is looked up
        await().atMost(WAIT).untilAsserted(() -> assertThat(given().when().get(Management.url("/q/metrics")).then()
                .statusCode(200).extract().asString())
                .containsPattern("(?m)^wagateway_events_subscribers(\\{[^}]*\\})? 6\\.0$"));
        SseClient refused = open(path, null);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.body()).contains("urn:wagateway:problem:too-many-subscribers");
        clients.get(0).close();
        await().atMost(WAIT).until(() -> stream.subscribers() == 5);
        assertThat(open(path, null).status()).isEqualTo(200);
    }
}
