package wagateway.dispatch;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import wagateway.testsupport.SandboxCustomers;
import wagateway.testsupport.TestDb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static wagateway.dispatch.DispatchPipelineTest.PATIENCE;
import static wagateway.dispatch.DispatchPipelineTest.SENT;
import static wagateway.dispatch.DispatchPipelineTest.awaitStatus;
import static wagateway.dispatch.DispatchPipelineTest.message;
import static wagateway.dispatch.DispatchPipelineTest.send;
import static wagateway.dispatch.DispatchPipelineTest.text;

/**
 * Rule 2 is per business number: "their last inbound message to that sender". A customer who wrote to
 * {@code main} opened no window for {@code second}, and a 131047 on {@code second} closes only that one.
 */
@QuarkusTest
@TestProfile(DispatchTestProfile.class)
class WindowPerBusinessNumberTest {

    @AfterEach
    void calmSandbox() {
        given().contentType(ContentType.JSON).body("{}").put("/sandbox/faults").then().statusCode(200);
    }

    @Test
    void aWindowOpensOnlyForTheNumberTheCustomerWroteTo() {
        String to = TestDb.freshPhone();
        SandboxCustomers.writeTo("100000000000001", to);

        // due now from the other number: refused at once, no window there
        Map<String, Object> fromSecond = text(to, "from the other number");
        fromSecond.put("from", "second");
        given().auth().oauth2("test-key").contentType(ContentType.JSON).body(fromSecond).post("/v1/messages")
                .then().statusCode(422).body("reason", equalTo("window_closed"));
        // from the number they wrote to: it goes
        assertThat(awaitStatus(send(text(to, "from the number they wrote to")), SENT.toArray(String[]::new))).isIn(SENT);

        // scheduled from the other number, judged by the dispatcher when due: rejected, window_closed
        Map<String, Object> later = text(to, "later, from the other number");
        later.put("from", "second");
        later.put("sendAt", Instant.now().plusSeconds(1).toString());
        String id = send(later);
        assertThat(awaitStatus(id, "rejected")).isEqualTo("rejected");
        assertThat(message(id).getString("reason")).isEqualTo("window_closed");
    }

    @Test
    void a131047FromOneNumberClosesOnlyThatNumbersWindow() {
        String to = TestDb.freshPhone();
        SandboxCustomers.writeTo("100000000000001", to);
        // our records say the customer also wrote to `second`; Meta (the sandbox) knows they did not
        TestDb.openWindow(to, "second");
        // (an hour ago: Meta's failure timestamps have whole seconds, and a customer who wrote in the same
        // second as a 131047 reopened the window)
        TestDb.update("update contact_window set last_inbound_at = now() - interval '1 hour' where phone = ? "
                + "and sender = 'second'", to);
        Map<String, Object> fromSecond = text(to, "we think the window is open");
        fromSecond.put("from", "second");
        String failing = send(fromSecond);
        assertThat(awaitStatus(failing, "failed")).isEqualTo("failed");
        assertThat(message(failing).getInt("error.code")).isEqualTo(131047);

        await().atMost(PATIENCE).until(() -> TestDb.count("select count(*) from contact_window where phone = ? "
                + "and sender = 'second' and window_open_until <= now()", to) == 1);
        assertThat(TestDb.count("select count(*) from contact_window where phone = ? and sender = 'main' "
                + "and window_open_until > now()", to)).isEqualTo(1);
        // the contact's own window is the latest of its numbers': still open, thanks to `main`
        given().auth().oauth2("test-key").get("/v1/contacts/" + to).then().statusCode(200).body("windowOpen", equalTo(true));
        // and `main` still answers free-form
        assertThat(awaitStatus(send(text(to, "still open here")), SENT.toArray(String[]::new))).isIn(SENT);
    }
}
