package wagateway.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import wagateway.schema.RequiredSchema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 19, migrations once: the packaged jar with {@code gateway.migrate-and-exit=true} (what the Kubernetes Job
 * wagateway-migrate runs) migrates an empty database and exits 0; a replica with
 * {@code quarkus.flyway.migrate-at-start=false} then starts without Flyway and gets ready; a replica refuses, with
 * exit status 1 and one line, a database without the schema or with one older than its build needs. Production
 * settings from environment variables, as the manifests give them (the ConfigMap's
 * {@code QUARKUS_FLYWAY_MIGRATE_AT_START=false} and {@code GATEWAY_DISPATCH_ENABLED=true} included).
 */
class MigrationRunIT {

    @Test
    void theMigrationRunMigratesAndExitsZeroThenAReplicaStartsWithoutFlyway() throws Exception {
        try (ItDatabase database = ItDatabase.create()) {
            Run migration = run(database, Map.of("GATEWAY_MIGRATE_AND_EXIT", "true"));
            assertThat(migration.status()).as("exit status; output:%n%s", migration.output()).isZero();
            assertThat(migration.output()).contains("Schema: at version " + RequiredSchema.VERSION);
            assertThat(appliedVersion(database)).isEqualTo(RequiredSchema.VERSION);
            assertThat(tableExists(database, "outbound_message")).isTrue();

            int managementPort = SimulatorProcess.freePort();
            Path log = Files.createTempFile("wagateway-replica", ".log");
            Process replica = start(database, Map.of("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort)), log);
            try {
                HttpClient http = HttpClient.newHttpClient();
                await().atMost(Duration.ofSeconds(240)).ignoreExceptions().until(() -> http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
                assertThat(Files.readString(log)).as("the replica did not run Flyway").doesNotContain("org.flywaydb");
            } finally {
                replica.destroy();
                replica.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aReplicaRefusesAMissingOrOlderSchemaWithOneLine() throws Exception {
        try (ItDatabase database = ItDatabase.create()) {
            Run empty = run(database, Map.of());
            assertThat(empty.status()).as("exit status; output:%n%s", empty.output()).isEqualTo(1);
            assertThat(schemaLines(empty)).as(empty.output()).singleElement().asString()
                    .contains("the database has no gateway schema", "needs version " + RequiredSchema.VERSION);

            assertThat(run(database, Map.of("GATEWAY_MIGRATE_AND_EXIT", "true")).status()).isZero();
            int newest = RequiredSchema.VERSION;
            try (Connection c = database.connect()) {
                c.createStatement().execute("delete from flyway_schema_history where version = '" + newest + "'");
            }
            int older = appliedVersion(database);
            assertThat(older).isLessThan(newest).isPositive();
            Run old = run(database, Map.of());
            assertThat(old.status()).as("exit status; output:%n%s", old.output()).isEqualTo(1);
            assertThat(schemaLines(old)).as(old.output()).singleElement().asString()
                    .contains("is at schema version " + older + ", this build needs version " + newest);
        }
    }

    record Run(int status, String output) {
    }

    private static Run run(ItDatabase database, Map<String, String> extra) throws Exception {
        Path log = Files.createTempFile("wagateway-migration", ".log");
        Map<String, String> env = new HashMap<>(extra);
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(SimulatorProcess.freePort()));
        Process gateway = start(database, env, log);
        boolean exited = gateway.waitFor(240, TimeUnit.SECONDS);
        if (!exited) {
            gateway.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(exited).as("exited; output:%n%s", output).isTrue();
        return new Run(gateway.exitValue(), output);
    }

    private static Process start(ItDatabase database, Map<String, String> extra, Path log) throws IOException {
        Map<String, String> env = PackagedGateway.environment(SimulatorProcess.freePort(), SimulatorProcess.freePort(),
                database.reactiveUrl(), "http://localhost:9/unused");
        env.put("QUARKUS_FLYWAY_MIGRATE_AT_START", "false"); // the ConfigMap's: replicas do not migrate
        env.put("GATEWAY_DISPATCH_ENABLED", "true");
        env.putAll(extra);
        return PackagedGateway.start(env, log);
    }

    private static java.util.List<String> schemaLines(Run run) {
        return run.output().lines().filter(line -> line.contains("Schema: the database")).toList();
    }

    private static int appliedVersion(ItDatabase database) throws SQLException {
        try (Connection c = database.connect();
                ResultSet rs = c.createStatement().executeQuery("select max(cast(version as integer)) "
                        + "from flyway_schema_history where success and version is not null")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean tableExists(ItDatabase database, String table) throws SQLException {
        try (Connection c = database.connect();
                ResultSet rs = c.createStatement().executeQuery("select to_regclass('" + table + "') is not null")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
