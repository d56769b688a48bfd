package wagateway.config;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The test run's database: a datasource configured for the run wins, and then nothing is created. */
class TestDatabaseTest {

    @Test
    void aConfiguredReactiveUrlWins() {
        assertThat(TestDatabase.properties(
                name -> name.equals(DatabaseDiscovery.REACTIVE_URL) ? Optional.of("postgresql://db:5432/gw")
                        : Optional.empty()))
                .isEmpty();
    }

    @Test
    void aConfiguredJdbcUrlWins() {
        assertThat(TestDatabase.properties(
                name -> name.equals(DatabaseDiscovery.JDBC_URL) ? Optional.of("jdbc:postgresql://db/gw") : Optional.empty()))
                .isEmpty();
    }

    @Test
    void readsTheEnvironmentTheWayQuarkusMapsIt() {
        String path = System.getenv("PATH");
        assertThat(TestDatabase.fromEnvironment("path")).isEqualTo(Optional.ofNullable(path));
        System.setProperty("wagateway.test-database.probe", "set");
        try {
            assertThat(TestDatabase.fromEnvironment("wagateway.test-database.probe")).contains("set");
        } finally {
            System.clearProperty("wagateway.test-database.probe");
        }
    }
}
