package wagateway.contact;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.webhook.MetaWebhooks;
import wagateway.webhook.TestDb;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The entry points the dispatcher calls after a synchronous Cloud API answer, each in its own transaction. */
@QuarkusTest
class ContactServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    ContactService contacts;

    @Test
    void closeWindowEndsAnOpenWindowAtTheGivenTime() {
        String waId = MetaWebhooks.freshWaId();
        MetaWebhooks.postApplied(MetaWebhooks.text(waId, "hello"));
        Instant at = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS);

        contacts.closeWindow("+" + waId, "main", at).await().atMost(WAIT);

        Map<String, Object> contact = TestDb.row("select window_open_until, free_entry_point from contact where phone = ?",
                "+" + waId);
        assertEquals(at, contact.get("window_open_until"));
        assertEquals(false, contact.get("free_entry_point"));
    }

    @Test
    void closeWindowLeavesAWindowTheCustomerReopenedAfterwards() {
        String waId = MetaWebhooks.freshWaId();
        MetaWebhooks.postApplied(MetaWebhooks.text(waId, "hello"));
        Object window = TestDb.value("select window_open_until from contact where phone = ?", "+" + waId);

        // A 131047 reported for a time before the customer's last message changes nothing.
        contacts.closeWindow("+" + waId, "main", Instant.now().minus(Duration.ofHours(1))).await().atMost(WAIT);
        assertEquals(window, TestDb.value("select window_open_until from contact where phone = ?", "+" + waId));
        // An unknown contact is no error: its window was never open.
        contacts.closeWindow("+" + MetaWebhooks.freshWaId(), "main", Instant.now()).await().atMost(WAIT);
    }

    @Test
    void recordMarketingOptOutOncePerEvidence() {
        String phone = "+" + MetaWebhooks.freshWaId();
        contacts.recordMarketingOptOut(phone, "cloud_api_131050", "wamid.A").await().atMost(WAIT);
        contacts.recordMarketingOptOut(phone, "cloud_api_131050", "wamid.A").await().atMost(WAIT);
        contacts.recordMarketingOptOut(phone, "cloud_api_131050", "wamid.B").await().atMost(WAIT);

        assertEquals(List.of("wamid.A", "wamid.B"), TestDb.rows("select evidence from consent_event where phone = ? "
                + "and scope = 'marketing' and status = 'opted_out' and actor = 'whatsapp' order by id", phone).stream()
                .map(r -> r.get("evidence")).toList());
        assertEquals(true, TestDb.value("select marketing_opted_out from contact where phone = ?", phone));
        assertEquals("none", TestDb.value("select consent_status from contact where phone = ?", phone));
    }
}
