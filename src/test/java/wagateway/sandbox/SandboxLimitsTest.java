package wagateway.sandbox;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import wagateway.testsupport.TestClockProducer;

import static org.hamcrest.Matchers.equalTo;

/**
 * Throughput (130429) and pair rate (131056) at the configured limits. The clock is pinned before each
 * request, so how long the requests really take does not matter.
 */
@QuarkusTest
@TestProfile(SandboxTestProfile.class)
class SandboxLimitsTest extends SandboxTestBase {

    @Test
    void throughputAllowsTheLimitAndAnswers130429Beyond() {
        Instant t0 = TestClockProducer.CLOCK.instant();
        for (int i = 0; i < SandboxTestProfile.MESSAGES_PER_SECOND; i++) {
            pinClock(t0);
            accepted(templateBody(newPhone(), "hello_world", 0));
        }
        pinClock(t0.plusMillis(500));
        String answer = send(templateBody(newPhone(), "hello_world", 0))
                .statusCode(429)
                .body("error.code", equalTo(130429))
                .body("error.message", equalTo("(#130429) Rate limit hit"))
                .extract().asString();
        // Meta's sample carries the deprecated error_subcode, which the sandbox leaves out
        JsonShape.assertSameShape(JsonShape.fixture("error-130429.json"), JsonShape.parse(answer), "error.error_subcode");

        pinClock(t0.plusMillis(1_500));
        accepted(templateBody(newPhone(), "hello_world", 0));
    }

    @Test
    void throughputIsCountedPerBusinessNumber() {
        Instant t0 = TestClockProducer.CLOCK.instant();
        for (int i = 0; i < SandboxTestProfile.MESSAGES_PER_SECOND; i++) {
            pinClock(t0);
            accepted(templateBody(newPhone(), "hello_world", 0));
        }
        pinClock(t0);
        send(templateBody(newPhone(), "hello_world", 0)).statusCode(429).body("error.code", equalTo(130429));
        pinClock(t0);
        post(SECOND_ID, SECOND_TOKEN, templateBody(newPhone(), "hello_world", 0)).statusCode(200);
    }

    @Test
    void refusedSendsDoNotUseTheBudget() {
        Instant t0 = TestClockProducer.CLOCK.instant();
        for (int i = 0; i < SandboxTestProfile.MESSAGES_PER_SECOND; i++) {
            pinClock(t0);
            send(templateBody(newPhone(), "no_such_template", 0)).statusCode(404);
        }
        pinClock(t0);
        accepted(templateBody(newPhone(), "hello_world", 0));
    }

    @Test
    void pairRateAnswers131056UntilTheIntervalPassed() {
        Instant t0 = TestClockProducer.CLOCK.instant();
        String customer = newPhone();
        pinClock(t0);
        accepted(templateBody(customer, "hello_world", 0));
        pinClock(t0);
        send(templateBody(customer, "hello_world", 0))
                .statusCode(429)
                .body("error.code", equalTo(131056))
                .body("error.type", equalTo("OAuthException"));
        // other recipients are not affected
        pinClock(t0);
        accepted(templateBody(newPhone(), "hello_world", 0));

        pinClock(t0.plusMillis(5_000));
        send(templateBody(customer, "hello_world", 0)).statusCode(429).body("error.code", equalTo(131056));
        pinClock(t0.plusMillis(6_500));
        accepted(templateBody(customer, "hello_world", 0));
    }
}
