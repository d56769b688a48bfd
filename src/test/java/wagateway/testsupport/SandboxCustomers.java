package wagateway.testsupport;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.Map;

import io.restassured.http.ContentType;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * Plays the customer through the sandbox: they write, the sandbox opens its window and delivers a
 * real-shaped inbound webhook, and the gateway opens the window in its own records. The end-to-end way
 * to get an open window on both sides.
 */
public final class SandboxCustomers {

    private SandboxCustomers() {
    }

    public static void write(String phone, String text) {
        write(phone, text, "100000000000001");
    }

    /** The customer writes to one business number (Meta's window is per number and customer). */
    public static void writeTo(String phoneNumberId, String phone) {
        write(phone, "Hi!", phoneNumberId);
    }

    private static void write(String phone, String text, String phoneNumberId) {
        given().contentType(ContentType.JSON).body(Map.of("text", text, "phoneNumberId", phoneNumberId))
                .post("/sandbox/customers/" + phone + "/messages").then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var rows = TestDb.query("select window_open_until from contact where phone = ?", phone);
            return !rows.isEmpty() && rows.get(0).get("window_open_until") != null
                    && ((Timestamp) rows.get(0).get("window_open_until")).toInstant()
                            .isAfter(TestClockProducer.CLOCK.instant());
        });
    }

    public static void write(String phone) {
        write(phone, "Hi!");
    }
}
