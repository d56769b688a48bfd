package wagateway.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The HTTP load generator of the benchmark ({@code bench/run.sh}): runs in its own JVM, so its CPU is
 * not the gateway's, and uses only the JDK ({@code java.net.http}, asynchronous sends, no virtual
 * threads), so it needs no build step beyond {@code javac}.
 *
 * <p>
 * Modes (arguments are {@code key=value}):
 * <ul>
 * <li>{@code mode=closed concurrency=N}: N requests always in flight, each sent when the previous one
 * answered: the highest throughput at that concurrency.</li>
 * <li>{@code mode=open rate=R}: one request every 1/R s whatever the answers (open loop). Latency is
 * measured from the <em>intended</em> send time, so a stalled server is not hidden by the driver
 * slowing down with it (coordinated omission).</li>
 * <li>{@code mode=batch size=S concurrency=N}: closed loop on {@code POST /v1/messages/batch} with S
 * messages per request; reports messages per second.</li>
 * </ul>
 * With {@code idle-sse=N} (any mode), each run is measured twice in a row, first alone, then with N idle
 * {@code GET /v1/events} streams open (filtered on a number that never gets events), and the last lines are
 * {@code {"medianWithout": ...}} and {@code {"medianWith": ...}}: the price of idle subscribers on the same
 * machine in the same minute.
 * Every mode warms up for {@code warmup} seconds, then measures {@code runs} runs of {@code duration}
 * seconds and prints one JSON line per run and a last line {@code {"median": ...}} with the run of
 * median throughput. Recipients cycle through {@code recipients} numbers from {@code +5511900000000}
 * ({@code bench/run.sh} opens their consent and windows with SQL).
 *
 * <p>
 * Not a test: the name does not end in {@code Test}/{@code IT}, so surefire and failsafe ignore it.
 */
public final class LoadDriver {

    private final HttpClient client;
    private final Map<String, String> options;
    private final String base;
    private final String apiKey;
    private final int recipients;
    /** Sender names to cycle through ({@code senders=a,b}); empty: the gateway's default sender. */
    private final String[] senders;
    private final AtomicLong sequence = new AtomicLong();

    private LoadDriver(Map<String, String> options) {
        this.options = options;
        this.base = options.getOrDefault("url", "http://localhost:8080");
        this.apiKey = options.getOrDefault("key", "bench-key");
        this.recipients = Integer.parseInt(options.getOrDefault("recipients", "10000"));
        this.senders = options.getOrDefault("senders", "").isBlank() ? new String[0] : options.get("senders").split(",");
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(2, r -> {
                    Thread t = new Thread(r, "driver-http");
                    t.setDaemon(true);
                    return t;
                }))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        new LoadDriver(options).run();
        System.exit(0);
    }

    private void run() throws Exception {
        String mode = options.getOrDefault("mode", "closed");
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "5"));
        int duration = Integer.parseInt(options.getOrDefault("duration", "10"));
        int runs = Integer.parseInt(options.getOrDefault("runs", "3"));
        if (warmup > 0) {
            once(mode, warmup);
        }
        int idleSse = Integer.parseInt(options.getOrDefault("idle-sse", "0"));
        if (idleSse > 0) {
            compareWithIdleStreams(mode, duration, runs, idleSse);
            return;
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Result r = once(mode, duration);
            results.add(r);
            System.out.println(r.json(mode, i + 1));
        }
        List<Result> sorted = new ArrayList<>(results);
        sorted.sort((a, b) -> Double.compare(a.perSecond(), b.perSecond()));
        Result median = sorted.get(sorted.size() / 2);
        System.out.println("{\"median\":" + median.json(mode, results.indexOf(median) + 1) + "}");
    }

    /** Alternates runs without and with {@code n} idle SSE streams, so drift of the machine hits both alike. */
    private void compareWithIdleStreams(String mode, int duration, int runs, int n) throws Exception {
        List<Result> without = new ArrayList<>();
        List<Result> with = new ArrayList<>();
        HttpClient sse = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < runs; i++) {
            Result alone = once(mode, duration);
            without.add(alone);
            System.out.println(alone.json(mode + "+sse0", i + 1));
            List<java.io.InputStream> streams = openIdleStreams(sse, n);
            Result busy = once(mode, duration);
            with.add(busy);
            System.out.println(busy.json(mode + "+sse" + n, i + 1));
            for (java.io.InputStream stream : streams) {
                stream.close();
            }
        }
        System.out.println("{\"medianWithout\":" + median(without).json(mode + "+sse0", 0) + "}");
        System.out.println("{\"medianWith\":" + median(with).json(mode + "+sse" + n, 0) + "}");
    }

    private List<java.io.InputStream> openIdleStreams(HttpClient sse, int n) throws Exception {
        List<CompletableFuture<HttpResponse<java.io.InputStream>>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pending.add(sse.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/events?contact=%2B15550000000"))
                    .header("Authorization", "Bearer " + apiKey).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream()));
        }
        List<java.io.InputStream> streams = new ArrayList<>();
        for (CompletableFuture<HttpResponse<java.io.InputStream>> f : pending) {
            HttpResponse<java.io.InputStream> response = f.get(30, TimeUnit.SECONDS);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET /v1/events answered " + response.statusCode());
            }
            streams.add(response.body());
        }
        return streams;
    }

    private static Result median(List<Result> results) {
        List<Result> sorted = new ArrayList<>(results);
        sorted.sort((a, b) -> Double.compare(a.perSecond(), b.perSecond()));
        return sorted.get(sorted.size() / 2);
    }

    private Result once(String mode, int seconds) throws InterruptedException {
        switch (mode) {
            case "closed":
                return closed(Integer.parseInt(options.getOrDefault("concurrency", "20")), seconds, 1);
            case "batch":
                return closed(Integer.parseInt(options.getOrDefault("concurrency", "4")), seconds,
                        Integer.parseInt(options.getOrDefault("size", "100")));
            case "open":
                return open(Integer.parseInt(options.getOrDefault("rate", "500")), seconds);
            default:
                throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    /** Closed loop: {@code concurrency} chains of request → answer → next request until the deadline. */
    private Result closed(int concurrency, int seconds, int batchSize) throws InterruptedException {
        Recorder recorder = new Recorder(4_000_000);
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            chain(recorder, deadline, batchSize, done);
        }
        done.await(seconds + 30L, TimeUnit.SECONDS);
        return recorder.result(System.nanoTime() - start, batchSize);
    }

    private void chain(Recorder recorder, long deadline, int batchSize, CountDownLatch done) {
        if (System.nanoTime() >= deadline) {
            done.countDown();
            return;
        }
        long sent = System.nanoTime();
        send(batchSize).whenComplete((status, error) -> {
            recorder.record(System.nanoTime() - sent, error == null && status == 202);
            chain(recorder, deadline, batchSize, done);
        });
    }

    /** Open loop at a fixed offered rate; latency from the intended send time. */
    private Result open(int rate, int seconds) throws InterruptedException {
        int total = rate * seconds;
        Recorder recorder = new Recorder(total);
        CountDownLatch done = new CountDownLatch(total);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        // At most maxInFlight connections: beyond that, due requests queue here (an overloaded server
        // must not make the driver open thousands of sockets); their latency still counts from the
        // intended time.
        int maxInFlight = Integer.parseInt(options.getOrDefault("max-in-flight", "256"));
        AtomicInteger inFlight = new AtomicInteger();
        ConcurrentLinkedQueue<Long> backlog = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < total; i++) {
            long intended = start + i * interval;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            if (inFlight.incrementAndGet() > maxInFlight) {
                inFlight.decrementAndGet();
                backlog.add(intended);
                // the sends may all have answered meanwhile: then nobody else would take it
                Long next;
                while (inFlight.get() < maxInFlight && (next = backlog.poll()) != null) {
                    inFlight.incrementAndGet();
                    openSend(next, recorder, done, inFlight, backlog);
                }
            } else {
                openSend(intended, recorder, done, inFlight, backlog);
            }
        }
        // bounded: what has not answered 5 s after the last send counts as an error (the run stays short
        // on an overloaded machine, and an unanswered request is not a latency we can report)
        if (!done.await(5, TimeUnit.SECONDS)) {
            recorder.unanswered((int) done.getCount());
        }
        // throughput of an open loop is the answered rate over the offered window
        return recorder.result(Math.max(System.nanoTime() - start, TimeUnit.SECONDS.toNanos(seconds)), 1);
    }

    private void openSend(long intended, Recorder recorder, CountDownLatch done, AtomicInteger inFlight,
            ConcurrentLinkedQueue<Long> backlog) {
        send(1).whenComplete((status, error) -> {
            recorder.record(System.nanoTime() - intended, error == null && status == 202);
            done.countDown();
            Long next = backlog.poll();
            if (next != null) {
                openSend(next, recorder, done, inFlight, backlog);
            } else {
                inFlight.decrementAndGet();
            }
        });
    }

    private CompletableFuture<Integer> send(int batchSize) {
        String body;
        String path;
        if (batchSize > 1) {
            StringBuilder sb = new StringBuilder(batchSize * 200).append("{\"messages\":[");
            for (int i = 0; i < batchSize; i++) {
                sb.append(i == 0 ? "" : ",").append(message());
            }
            body = sb.append("]}").toString();
            path = "/v1/messages/batch";
        } else {
            body = message();
            path = "/v1/messages";
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
    }

    /**
     * An approved template (no window needed) to an opted-in recipient: the common business send; from the
     * senders in turn when {@code senders} is given.
     */
    private String message() {
        long n = sequence.getAndIncrement();
        String to = "+5511" + (900000000L + n % recipients);
        String from = senders.length == 0 ? "" : "\"from\":\"" + senders[(int) (n % senders.length)] + "\",";
        return "{" + from + "\"to\":\"" + to + "\",\"type\":\"template\",\"category\":\"utility\","
                + "\"template\":{\"name\":\"hello_world\",\"language\":{\"code\":\"en_US\"}}}";
    }

    /** Latencies of one run, recorded from many threads. */
    private static final class Recorder {
        private final long[] latencies;
        private final AtomicInteger count = new AtomicInteger();
        private final AtomicInteger errors = new AtomicInteger();
        private volatile boolean frozen;

        Recorder(int capacity) {
            latencies = new long[capacity];
        }

        void unanswered(int n) {
            errors.addAndGet(n);
            frozen = true;
        }

        void record(long nanos, boolean ok) {
            if (frozen) {
                return; // an answer after the run ended: already counted as unanswered
            }
            if (!ok) {
                errors.incrementAndGet();
                return;
            }
            int i = count.getAndIncrement();
            if (i < latencies.length) {
                latencies[i] = nanos;
            }
        }

        Result result(long elapsedNanos, int batchSize) {
            int n = Math.min(count.get(), latencies.length);
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            double seconds = elapsedNanos / 1e9;
            return new Result(n, errors.get(), seconds, n / seconds, (long) n * batchSize / seconds,
                    pct(sorted, 0.50), pct(sorted, 0.95), pct(sorted, 0.99), n == 0 ? 0 : sorted[n - 1] / 1e6);
        }

        private static double pct(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(i, sorted.length - 1))] / 1e6;
        }
    }

    /** One run's figures; latencies in milliseconds. */
    private record Result(int ok, int errors, double seconds, double requestsPerSecond, double messagesPerSecond,
            double p50, double p95, double p99, double max) {

        double perSecond() {
            return messagesPerSecond;
        }

        String json(String mode, int run) {
            return String.format(Locale.ROOT, "{\"mode\":\"%s\",\"run\":%d,\"ok\":%d,\"errors\":%d,\"seconds\":%.2f,"
                    + "\"requestsPerSecond\":%.1f,\"messagesPerSecond\":%.1f,\"p50Ms\":%.2f,\"p95Ms\":%.2f,"
                    + "\"p99Ms\":%.2f,\"maxMs\":%.2f}", mode, run, ok, errors, seconds, requestsPerSecond,
                    messagesPerSecond, p50, p95, p99, max);
        }
    }
}
