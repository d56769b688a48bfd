package wagateway.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A real Server-Sent Events client for tests: one HTTP/1.1 connection, read on its own daemon thread, parsed
 * into {@link Frame}s (events and comments) in arrival order. Close it to drop the connection.
 */
public final class SseClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** One SSE frame: an event (id, event name, data) or a comment. */
    public record Frame(String id, String event, String data, String comment) {
    }

    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final int status;
    private final String contentType;
    private final String body;
    private final InputStream stream;

    private SseClient(HttpResponse<InputStream> response) throws IOException {
        this.status = response.statusCode();
        this.contentType = response.headers().firstValue("content-type").orElse("");
        this.stream = response.body();
        if (status != 200) {
            this.body = new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            return;
        }
        this.body = null;
        Thread reader = new Thread(this::read, "sse-test-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** GET {@code pathAndQuery} on the test server with the test API key and, when not null, Last-Event-ID. */
    public static SseClient open(String pathAndQuery, String lastEventId) {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return open("http://localhost:" + port + pathAndQuery, "test-key", lastEventId);
    }

    public static SseClient open(String url, String apiKey, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET()
                .header("Accept", "text/event-stream");
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String id = null, event = null;
            StringBuilder data = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null || event != null || id != null) {
                        frames.add(new Frame(id, event, data == null ? null : data.toString(), null));
                    }
                    id = null;
                    event = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    frames.add(new Frame(null, null, null, line.substring(1).trim()));
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> event = value;
                        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        default -> {
                        }
                    }
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    public int status() {
        return status;
    }

    public String contentType() {
        return contentType;
    }

    /** The error body, for a stream that was refused. */
    public String body() {
        return body;
    }

    public List<Frame> frames() {
        return new ArrayList<>(frames);
    }

    /** Events (not comments) so far. */
    public List<Frame> events() {
        return frames.stream().filter(f -> f.comment() == null).toList();
    }

    public boolean saw(String comment) {
        return frames.stream().anyMatch(f -> comment.equals(f.comment()));
    }

    @Override
    public void close() {
        try {
            stream.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
