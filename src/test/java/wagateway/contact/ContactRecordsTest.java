package wagateway.contact;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import wagateway.webhook.MetaWebhooks;
import wagateway.webhook.TestDb;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a Cloud API answer teaches about a contact (a 131047 closes the window, a 131050 is a marketing opt-out),
 * recorded inside the caller's transaction by {@link ContactStore} and {@link ConsentLedger}.
 */
@QuarkusTest
class ContactRecordsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Pool pool;

    @Inject
    ContactStore store;

    @Inject
    ConsentLedger ledger;

    @Inject
    ContactResolver resolver;

    @Inject
    Clock clock;

    @Test
    void closeWindowEndsAnOpenWindowAtTheGivenTime() {
        String waId = MetaWebhooks.freshWaId();
        MetaWebhooks.postApplied(MetaWebhooks.text(waId, "hello"));
        Instant at = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS);

        closeWindow("+" + waId, "main", at);

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
        closeWindow("+" + waId, "main", Instant.now().minus(Duration.ofHours(1)));
        assertEquals(window, TestDb.value("select window_open_until from contact where phone = ?", "+" + waId));
        // An unknown contact is no error: its window was never open.
        closeWindow("+" + MetaWebhooks.freshWaId(), "main", Instant.now());
    }

    @Test
    void recordMarketingOptOutOncePerEvidence() {
        String phone = "+" + MetaWebhooks.freshWaId();
        recordMarketingOptOut(phone, "cloud_api_131050", "wamid.A");
        recordMarketingOptOut(phone, "cloud_api_131050", "wamid.A");
        recordMarketingOptOut(phone, "cloud_api_131050", "wamid.B");

        assertEquals(List.of("wamid.A", "wamid.B"), TestDb.rows("select evidence from consent_event where phone = ? "
                + "and scope = 'marketing' and status = 'opted_out' and actor = 'whatsapp' order by id", phone).stream()
                .map(r -> r.get("evidence")).toList());
        assertEquals(true, TestDb.value("select marketing_opted_out from contact where phone = ?", phone));
        assertEquals("none", TestDb.value("select consent_status from contact where phone = ?", phone));
    }

    private void closeWindow(String phone, String sender, Instant at) {
        pool.withTransaction(tx -> store.closeWindow(tx, phone, sender, at, clock.instant())).await().atMost(WAIT);
    }

    private void recordMarketingOptOut(String phone, String source, String evidence) {
        pool.withTransaction(tx -> resolver.resolve(tx, new ContactResolver.Customer(phone, null), clock.instant())
                .chain(contact -> ledger.record(tx, ConsentChange.fromWhatsApp(contact.id(), ConsentChange.OPTED_OUT,
                        ConsentChange.SCOPE_MARKETING, source, evidence, clock.instant()))))
                .await().atMost(WAIT);
    }
}
