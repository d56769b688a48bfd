package wagateway.config;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.testsupport.TestDb;

import static org.assertj.core.api.Assertions.assertThat;

/** Every test run works in a database of its own, created for it and migrated by Flyway from empty. */
@QuarkusTest
class TestDatabaseIsolationTest {

    @Test
    void runsInAFreshDatabaseOfItsOwn() {
        String database = (String) TestDb.query("select current_database() as db").get(0).get("db");
        assertThat(database).matches("wagateway_test_\\d{14}_[0-9a-f]+");
        String configured = ConfigProvider.getConfig().getValue("quarkus.datasource.reactive.url", String.class);
        assertThat(configured).endsWith("/" + database);
    }

    @Test
    void flywayMigratedTheEmptyDatabase() {
        var history = TestDb
                .query("select version, success from flyway_schema_history where version is not null order by installed_rank");
        assertThat(history).isNotEmpty();
        assertThat(history).allSatisfy(row -> assertThat(row.get("success")).isEqualTo(true));
        assertThat(history.get(0).get("version")).isEqualTo("1");
        for (String table : new String[] { "outbound_message", "message_event", "contact", "consent_event", "inbound_message",
                "webhook_inbox", "orphan_status", "event_outbox", "sender_state", "pair_pacing", "recipient_reach" }) {
            assertThat(TestDb.count("select count(*) from information_schema.tables where table_name = ?", table))
                    .as(table).isEqualTo(1);
        }
    }
}
