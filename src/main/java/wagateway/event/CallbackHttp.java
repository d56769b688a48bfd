package wagateway.event;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * The HTTP side of callbacks: one client, created here and nowhere else, with a keep-alive pool per destination
 * sized for {@code gateway.callbacks.max-concurrency-per-destination}, redirects not followed (a 3xx is a failed
 * attempt: a redirect could lead anywhere). Every POST first asks {@link CallbackAddresses} where it may go: a
 * host that is not allowed fails the attempt without a connection ({@link CallbackAddresses.NotAllowed}), and
 * a name is connected to at the address that was checked (the request keeps the name in its Host header and
 * for TLS), so a name that resolves elsewhere meanwhile (DNS rebinding) cannot slip through.
 *
 * <p>
 * {@link #post} bounds the whole exchange by {@code gateway.callbacks.timeout}: waiting for a connection,
 * connecting, sending, the answer's headers and its body. The body is read up to {@value #MAX_BODY_BYTES}
 * bytes and discarded; a longer one ends the exchange with the status already received (the connection is
 * closed, not reused). A receiver that answers its headers and then stalls fails at the timeout, and its
 * connection is closed: nothing waits on it for longer.
 */
final class CallbackHttp {

    /** The most of an answer's body that is read; it is discarded. */
    static final int MAX_BODY_BYTES = 8 * 1024;

    private final Vertx vertx;
    private final HttpClient client;
    private final long timeoutMillis;
    private final CallbackAddresses addresses;

    /** An answer read to its end (or to {@link #MAX_BODY_BYTES}). */
    record Answer(int status) {
        boolean acknowledged() {
            return status / 100 == 2;
        }
    }

    CallbackHttp(Vertx vertx, Duration timeout, int connectionsPerDestination, CallbackAddresses addresses) {
        this.vertx = vertx;
        this.addresses = addresses;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        HttpClientOptions options = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .setKeepAlive(true)
                // receivers commonly close idle connections after 60 s or less; reusing one they just closed
                // fails that attempt (it is retried), so idle connections are dropped before most servers do
                .setKeepAliveTimeout(30)
                .setPipelining(false)
                .setTryUseCompression(false);
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(connectionsPerDestination);
        this.client = vertx.httpClientBuilder().with(options).with(pool).build();
    }

    void close() {
        client.close();
    }

    /**
     * POSTs {@code body} to {@code url}. Never throws; the future fails on a connection error, a reset or the
     * timeout ({@link TimeoutException}), and otherwise completes with the status once the answer was read.
     */
    Future<Answer> post(String url, Map<String, String> headers, Buffer body) {
        Promise<Answer> result = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        AtomicReference<Integer> status = new AtomicReference<>();
        long timer = vertx.setTimer(timeoutMillis, id -> {
            Integer answered = status.get();
            TimeoutException timeout = new TimeoutException(answered == null
                    ? "no answer within " + timeoutMillis + " ms"
                    : "HTTP " + answered + " answered, but its body did not end within " + timeoutMillis + " ms");
            if (result.tryFail(timeout)) {
                HttpClientRequest request = sent.get();
                if (request != null) {
                    request.reset(0, timeout); // closes the connection: it never goes back to the pool
                }
            }
        });
        result.future().onComplete(done -> vertx.cancelTimer(timer));
        RequestOptions options;
        URI uri;
        try {
            options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setFollowRedirects(false);
            uri = URI.create(url);
        } catch (RuntimeException e) { // not a URL the client understands
            result.tryFail(e);
            return result.future();
        }
        MultiMap all = MultiMap.caseInsensitiveMultiMap().addAll(headers);
        options.setHeaders(all);
        addresses.check(uri).onComplete(checked -> {
            if (checked.failed()) {
                result.tryFail(checked.cause());
            } else if (!checked.result().allowed()) {
                result.tryFail(new CallbackAddresses.NotAllowed());
            } else if (!result.future().isComplete()) { // not timed out while resolving
                InetAddress address = checked.result().address();
                if (address != null) { // connect to the address that was checked, not to a fresh lookup
                    options.setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, options.getPort())));
                }
                send(options, body, sent, status, result);
            }
        });
        return result.future();
    }

    private void send(RequestOptions options, Buffer body, AtomicReference<HttpClientRequest> sent,
            AtomicReference<Integer> status, Promise<Answer> result) {
        client.request(options).onComplete(connected -> {
            if (connected.failed()) {
                result.tryFail(connected.cause());
                return;
            }
            HttpClientRequest request = connected.result();
            sent.set(request);
            if (result.future().isComplete()) { // timed out while waiting for a connection
                request.reset();
                return;
            }
            request.send(body).onComplete(answered -> {
                if (answered.failed()) {
                    result.tryFail(answered.cause());
                } else {
                    read(answered.result(), request, status, result);
                }
            });
        });
    }

    /** Reads the answer's body to its end or to the cap, then completes with the status. */
    private static void read(HttpClientResponse response, HttpClientRequest request, AtomicReference<Integer> status,
            Promise<Answer> result) {
        int code = response.statusCode();
        status.set(code);
        long[] read = { 0 };
        response.exceptionHandler(result::tryFail);
        response.handler(chunk -> {
            read[0] += chunk.length();
            if (read[0] > MAX_BODY_BYTES && result.tryComplete(new Answer(code))) {
                request.reset(); // the rest is not read: the connection cannot be reused
            }
        });
        response.endHandler(end -> result.tryComplete(new Answer(code)));
    }
}
