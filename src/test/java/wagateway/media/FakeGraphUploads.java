package wagateway.media;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import wagateway.deploy.UploadSpoolBudget;

/**
 * For {@link MediaUploadSpoolTest}: a Graph API that takes uploads without keeping them (the in-process sandbox
 * would spool each one a second time into the same directory), and a spool directory capped, when the tests run as
 * root on Linux, by a tmpfs of one upload's share of the manifests' /tmp; otherwise the test measures the peak.
 * Its state is read over HTTP ({@code GET /state}, {@code POST /gate/close|open}): the test runs in another class
 * loader.
 */
public class FakeGraphUploads implements QuarkusTestResourceLifecycleManager {

    private HttpServer server;
    private Path spool;
    private boolean mounted;
    private final AtomicLong uploads = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong waiting = new AtomicLong();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public Map<String, String> start() {
        try {
            spool = Files.createTempDirectory("wagateway-spool");
            mounted = mountTmpfs(spool, UploadSpoolBudget.perUploadShare());
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return Map.of("gateway.cloud-api.base-url", "http://127.0.0.1:" + server.getAddress().getPort(),
                "quarkus.http.body.uploads-directory", spool.toString(),
                "gateway.media.max-concurrent-uploads", "1",
                "wagateway.test.spool-capped", Boolean.toString(mounted));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        try (exchange) {
            if (path.equals("/state")) {
                answer(exchange, "{\"uploads\":" + uploads.get() + ",\"bytes\":" + bytes.get() + ",\"waiting\":" + waiting.get()
                        + "}");
            } else if (path.equals("/gate/close")) {
                gate = new CountDownLatch(1);
                answer(exchange, "{}");
            } else if (path.equals("/gate/open")) {
                gate.countDown();
                answer(exchange, "{}");
            } else if ("POST".equals(exchange.getRequestMethod()) && path.endsWith("/media")) {
                long n = 0;
                try (InputStream body = exchange.getRequestBody()) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int r; (r = body.read(buffer)) > 0;) {
                        n += r;
                    }
                }
                bytes.addAndGet(n);
                waiting.incrementAndGet();
                try {
                    gate.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    waiting.decrementAndGet();
                }
                answer(exchange, "{\"id\":\"" + (7_000_000_000_000_000L + uploads.incrementAndGet()) + "\"}");
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    /** A tmpfs of {@code bytes} over the directory: writing past it fails as a full emptyDir would evict. */
    private static boolean mountTmpfs(Path dir, long bytes) {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")
                || !"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        try {
            Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
            return mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            gate.countDown();
            server.stop(0);
        }
        try {
            if (mounted) {
                // lazy: detached even while something still holds the directory, freed when it lets go
                new ProcessBuilder("umount", "-l", spool.toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
            try (Stream<Path> files = Files.walk(spool)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (IOException | InterruptedException e) {
            // a temp directory left behind is harmless
        }
    }
}
