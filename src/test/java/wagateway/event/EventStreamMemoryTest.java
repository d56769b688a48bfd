package wagateway.event;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import wagateway.testsupport.SseClient;
import wagateway.testsupport.TestDb;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16 (5): the memory of all subscribers together is bounded; the subscriber furthest behind is
 * disconnected first and resumes with Last-Event-ID, while one that keeps up keeps its stream.
 */
@QuarkusTest
@TestProfile(EventStreamMemoryTest.SmallBudget.class)
class EventStreamMemoryTest {

    static final long BUDGET = 2_000_000;

    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.events.max-buffered-bytes", String.valueOf(BUDGET));
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int CHUNKS = 10;
    private static final int PER_CHUNK = 300;
    /** About 3 KB an event: 9 MB in all, four and a half times the budget. */
    private static final String PADDING = "x".repeat(3000);

    @Inject
    EventStream stream;

    @Test
    void theSubscriberFurthestBehindIsDisconnectedAndResumesWhileTheOneKeepingUpStays() throws Exception {
        await().atMost(WAIT).until(() -> stream.subscribers() == 0);
        String contact = "+1555" + String.format("%07d", System.nanoTime() % 10_000_000);
        try (SseClient fast = SseClient.open("/v1/events?contact=" + contact.replace("+", "%2B"), null);
                Socket slow = new Socket()) {
            await().atMost(WAIT).until(() -> fast.saw("live"));
            // a client that never reads, with a small receive window: what it is sent piles up in the gateway
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("localhost", port()));
            OutputStream request = slow.getOutputStream();
            request.write(("GET /v1/events?contact=" + contact.replace("+", "%2B") + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer test-key\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            request.flush();
            await().atMost(WAIT).until(() -> stream.subscribers() == 2);

            for (int chunk = 0; chunk < CHUNKS; chunk++) {
                insert(contact, chunk);
                int expected = (chunk + 1) * PER_CHUNK;
                await().atMost(WAIT).until(() -> fast.events().size() >= expected);
                assertTrue(stream.bufferedBytes() <= BUDGET + PER_CHUNK * 4_000L,
                        "held " + stream.bufferedBytes() + " bytes after chunk " + chunk);
            }

            // the slow one went, the fast one stayed and has everything in order
            await().atMost(WAIT).until(() -> stream.subscribers() == 1);
            List<SseClient.Frame> received = fast.events();
            assertEquals(CHUNKS * PER_CHUNK, received.size());
            assertTrue(received.get(received.size() - 1).data().contains("\"label\":\"" + (CHUNKS - 1) + "-"
                    + (PER_CHUNK - 1) + "\""));
            await().atMost(WAIT).until(() -> stream.bufferedBytes() < 100_000);

            // what the slow one got before it was cut off ends its stream; it resumes where it was
            String lastId = lastIdBeforeTheEnd(slow);
            long before = Long.parseLong(lastId);
            long last = Long.parseLong(received.get(received.size() - 1).id());
            assertTrue(before < last, "the slow subscriber was cut off early: " + before + " of " + last);
            try (SseClient resumed = SseClient.open("/v1/events?contact=" + contact.replace("+", "%2B"), lastId)) {
                await().atMost(WAIT).until(() -> resumed.saw("live"));
                List<SseClient.Frame> rest = resumed.events();
                assertEquals(last - before, rest.stream().filter(f -> Long.parseLong(f.id()) > before).count());
                assertEquals(String.valueOf(last), rest.get(rest.size() - 1).id());
            }
        }
    }

    private static void insert(String contact, int chunk) throws SQLException {
        try (Connection c = TestDb.connect();
                PreparedStatement ps = c.prepareStatement(
                        "insert into event_outbox (type, contact_phone, payload, state, next_attempt_at, created_at) "
                                + "select 'message.status', ?, jsonb_build_object('label', ? || '-' || n, 'padding', ?::text), "
                                + "'none', now(), now() from generate_series(0, ? - 1) n")) {
            ps.setString(1, contact);
            ps.setString(2, String.valueOf(chunk));
            ps.setString(3, PADDING);
            ps.setInt(4, PER_CHUNK);
            ps.executeUpdate();
        }
    }

    /** Reads the slow socket to the end of its stream: the last event id it carried. */
    private static String lastIdBeforeTheEnd(Socket slow) throws IOException {
        slow.setSoTimeout(10_000);
        InputStream in = slow.getInputStream();
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[65536];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                if (text.indexOf("\r\n0\r\n\r\n") >= 0) {
                    break; // the chunked response ended: the server closed the stream
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the slow subscriber's stream never ended; read " + text.length() + " chars");
        }
        Matcher id = Pattern.compile("(?m)^id: ?(\\d+)\\r?$").matcher(text);
        String last = null;
        while (id.find()) {
            last = id.group(1);
        }
        assertTrue(last != null, "the slow subscriber received no event at all");
        return last;
    }

    private static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }
}
