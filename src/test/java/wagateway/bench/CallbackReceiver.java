package wagateway.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A business's callback receiver for the callback benchmark ({@code bench/callbacks.sh}): its own JVM, JDK
 * only ({@code com.sun.net.httpserver}, keep-alive), compiled with {@code javac} like {@link LoadDriver}.
 *
 * <p>
 * Arguments ({@code key=value}): {@code port}, {@code mode=ok} (200 at once) or {@code mode=stall} (200 and the
 * first byte of a body, then a blank a second without end, until the gateway gives up and closes the
 * connection). Every POST is
 * counted; {@code GET /stats} answers
 * {@code {"requests":n,"events":distinct event ids,"firstMs":epoch ms,"lastMs":epoch ms,"maxConcurrent":n}}
 * (first and last arrival of a new event id), {@code POST /reset} clears the counters.
 *
 * <p>
 * Not a test: the name does not end in {@code Test}/{@code IT}, so surefire and failsafe ignore it.
 */
public final class CallbackReceiver {

    private final boolean stall;
    private final Set<String> events = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong first = new AtomicLong();
    private final AtomicLong last = new AtomicLong();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();

    private CallbackReceiver(boolean stall) {
        this.stall = stall;
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        int port = Integer.parseInt(options.getOrDefault("port", "28091"));
        // TCP_NODELAY, as receivers built on Netty, Node or Go have it: without it the JDK server sends headers
        // and body in two segments and Nagle's algorithm holds the second for the client's delayed ACK (~40 ms)
        System.setProperty("sun.net.httpserver.nodelay", "true");
        CallbackReceiver receiver = new CallbackReceiver("stall".equals(options.getOrDefault("mode", "ok")));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.createContext("/", receiver::handle);
        // a stalled exchange holds its thread: enough threads for the gateway's whole per-destination limit
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.start();
        System.out.println("{\"listening\":" + port + ",\"mode\":\"" + (receiver.stall ? "stall" : "ok") + "\"}");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if ("GET".equals(exchange.getRequestMethod()) && path.equals("/stats")) {
                answer(exchange, 200, "{\"requests\":" + requests.get() + ",\"events\":" + events.size() + ",\"firstMs\":"
                        + first.get() + ",\"lastMs\":" + last.get() + ",\"maxConcurrent\":" + maxConcurrent.get() + "}");
                return;
            }
            if (path.equals("/reset")) {
                events.clear();
                requests.set(0);
                first.set(0);
                last.set(0);
                maxConcurrent.set(0);
                answer(exchange, 200, "{}");
                return;
            }
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                requests.incrementAndGet();
                String id = exchange.getRequestHeaders().getFirst("X-Wagateway-Event-Id");
                if (id != null && events.add(id)) {
                    long now = System.currentTimeMillis();
                    first.compareAndSet(0, now);
                    last.accumulateAndGet(now, Math::max);
                }
                if (stall) {
                    exchange.sendResponseHeaders(200, 0); // chunked
                    OutputStream out = exchange.getResponseBody();
                    out.write('{');
                    out.flush();
                    // then a blank a second, never the end: only a timeout over the whole exchange ends this;
                    // the write fails once the gateway closed the connection, which frees the thread
                    for (int i = 0; i < 600; i++) {
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        out.write(' ');
                        out.flush();
                    }
                } else {
                    answer(exchange, 200, "{\"ok\":true}");
                }
            } finally {
                concurrent.decrementAndGet();
            }
        } catch (IOException e) {
            // the gateway closed a stalled exchange: expected
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
