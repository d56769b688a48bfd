package wagateway.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseDiscoveryTest {

    @Test
    void derivesTheJdbcUrlFromTheReactiveOne() {
        Map<String, String> props = DatabaseDiscovery.discover(
                name -> name.equals(DatabaseDiscovery.REACTIVE_URL) ? Optional.of("postgresql://db:5432/gw") : Optional.empty(),
                List.of("prod"));
        assertThat(props).containsEntry(DatabaseDiscovery.JDBC_URL, "jdbc:postgresql://db:5432/gw").hasSize(1);
    }

    @Test
    void derivesTheReactiveUrlFromTheJdbcOne() {
        Map<String, String> props = DatabaseDiscovery.discover(
                name -> name.equals(DatabaseDiscovery.JDBC_URL) ? Optional.of("jdbc:postgresql://db/gw") : Optional.empty(),
                List.of("prod"));
        assertThat(props).containsEntry(DatabaseDiscovery.REACTIVE_URL, "postgresql://db/gw");
    }

    @Test
    void leavesBothAloneWhenBothAreSet() {
        Map<String, String> props = DatabaseDiscovery.discover(name -> Optional.of("x"), List.of("prod"));
        assertThat(props).isEmpty();
    }

    @Test
    void productionNeverGuesses() {
        assertThat(DatabaseDiscovery.discover(name -> Optional.empty(), List.of("prod"))).isEmpty();
    }

    @Test
    void testsBringTheirOwnDatabase() {
        // the test sources' TestDatabaseConfigSourceFactory does that; the application's discovery stays out
        assertThat(DatabaseDiscovery.discover(name -> Optional.empty(), List.of("test"))).isEmpty();
    }

    @Test
    void normalisesPostgresSchemeForJdbc() {
        assertThat(DatabaseDiscovery.toJdbc("postgres://u@h/db")).isEqualTo("jdbc:postgresql://u@h/db");
    }
}
