package wagateway.dispatch;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static wagateway.dispatch.DispatchPipelineTest.PATIENCE;
import static wagateway.dispatch.DispatchPipelineTest.SENT;
import static wagateway.dispatch.DispatchPipelineTest.awaitStatus;
import static wagateway.dispatch.DispatchPipelineTest.message;
import static wagateway.dispatch.DispatchPipelineTest.send;
import static wagateway.dispatch.DispatchPipelineTest.text;

/**
 * Rule 2 when Meta accepts a free-form message and only then fails it with 131047 (the window was closed
 * after all, pitfall 3 of the reference): the message ends failed, the window closes in our records, and
 * its fallback template goes as a new message that points back at it — once.
 */
@QuarkusTest
@TestProfile(DispatchTestProfile.class)
class AsyncReengagementFallbackTest {

    @AfterEach
    void calmSandbox() {
        given().contentType(ContentType.JSON).body("{}").put("/sandbox/faults").then().statusCode(200);
    }

    @Test
    void anAcceptedThenFailedFreeFormMessageSendsItsFallbackTemplateOnce() {
        String to = TestDb.freshPhone();
        TestDb.optIn(to);
        TestDb.update("delete from recipient_reach");
        // our records say the customer wrote (window open); Meta (the sandbox) never saw them write
        TestDb.openWindow(to, "main");
        TestDb.update("update contact_window set last_inbound_at = now() - interval '1 hour' where phone = ?", to);
        given().contentType(ContentType.JSON).body("{\"windowErrorSync\":false}").put("/sandbox/faults")
                .then().statusCode(200);

        Map<String, Object> body = text(to, "free-form we think may go");
        body.put("fallbackTemplate", Map.of("name", "hello_world", "language", Map.of("code", "en_US")));
        body.put("category", "utility");
        body.put("metadata", Map.of("order", "A-17"));
        String id = send(body);

        assertThat(awaitStatus(id, "failed")).isEqualTo("failed");
        assertThat(message(id).getInt("error.code")).isEqualTo(131047);
        await().atMost(PATIENCE).until(() -> TestDb.count(
                "select count(*) from outbound_message where fallback_of = ?::uuid", id) == 1);
        String fallback = TestDb.query("select id::text as id from outbound_message where fallback_of = ?::uuid", id)
                .get(0).get("id").toString();
        assertThat(awaitStatus(fallback, SENT.toArray(String[]::new))).isIn(SENT);
        assertThat(message(fallback).getString("type")).isEqualTo("template");

        // the business hears it: the failure says the template is on its way (not "use another channel"),
        // and the template's first event names the message it stands in for, with the same metadata
        JsonObject failed = event(id, "failed");
        assertThat(failed.getBoolean("fallbackTemplateQueued")).isTrue();
        assertThat(failed.containsKey("fallbackSuggested")).isFalse();
        JsonObject queued = event(fallback, "queued");
        assertThat(queued.getString("fallbackFor")).isEqualTo(id);
        assertThat(queued.getJsonObject("metadata").getString("order")).isEqualTo("A-17");
        // once: the template went once to the Cloud API, and no second fallback appears
        assertThat(TestDb.count("select count(*) from outbound_message where fallback_of = ?::uuid", id)).isEqualTo(1);
        List<Map<String, Object>> atSandbox = given().queryParam("to", to).get("/sandbox/messages").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(atSandbox).filteredOn(m -> "template".equals(m.get("type"))).hasSize(1);
    }

    private static JsonObject event(String messageId, String status) {
        var rows = TestDb.query("select payload::text as payload from event_outbox where message_id = ?::uuid "
                + "and payload->>'status' = ? order by id", messageId, status);
        assertThat(rows).as("a %s event of %s", status, messageId).isNotEmpty();
        return new JsonObject(rows.get(0).get("payload").toString());
    }
}
