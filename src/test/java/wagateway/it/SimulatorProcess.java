package wagateway.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Cloud API simulator's own build ({@code target/sandbox-app}, packaged by {@code verify} next to the
 * production build) as a process of its own, as the bench and resilience scripts run it: no database, its
 * settings from environment variables. The production jar has no sandbox, so integration tests play the
 * customer and stand in for Meta through this process.
 */
final class SimulatorProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "sandbox-app", "quarkus-run.jar");

    private final Process process;
    private final int port;
    private final Path log;

    private SimulatorProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the simulator on a free port with these extra environment variables; returns once it is live. */
    static SimulatorProcess start(Map<String, String> environment) throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("No simulator build at " + JAR + ": ./mvnw package builds it (target/sandbox-app)");
        }
        int port = freePort();
        Path log = Files.createTempFile("wagateway-simulator", ".log");
        ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx256m", "-jar", JAR.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        SimulatorProcess simulator = new SimulatorProcess(builder.start(), port, log);
        simulator.awaitLive(Duration.ofSeconds(60));
        return simulator;
    }

    String url() {
        return "http://localhost:" + port;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private void awaitLive(Duration patience) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(patience);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The simulator exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/live")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("The simulator was not live within " + patience + ":\n" + log());
    }

    static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
