package wagateway.web;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads one request body on the event loop, counting its bytes as they arrive: past the limit it answers 413,
 * past the deadline 408, and drops what it held; otherwise it hands the body on whole. The deadline covers the
 * whole body, not the gaps between bytes, so a client trickling a byte at a time cannot hold a connection and
 * its buffer longer than the timeout.
 */
final class BodyReader {

    private final Vertx vertx;
    private final RoutingContext rc;
    private final long limit;
    private final long timeoutMillis;
    private final BiConsumer<RoutingContext, Buffer> handOver;
    private final BodyBudget budget;
    private List<Buffer> chunks = new ArrayList<>();
    private long received;
    private long timer = -1;
    private boolean finished;

    BodyReader(Vertx vertx, RoutingContext rc, long limit, long timeoutMillis,
            BodyBudget budget, BiConsumer<RoutingContext, Buffer> handOver) {
        this.handOver = handOver;
        this.budget = budget;
        this.vertx = vertx;
        this.rc = rc;
        this.limit = limit;
        this.timeoutMillis = timeoutMillis;
    }

    void read() {
        HttpServerRequest request = rc.request();
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null && expect.equalsIgnoreCase("100-continue")) {
            // answered here, where the body is read; removed so that nothing later sends a second one
            request.headers().remove(HttpHeaders.EXPECT);
            rc.response().writeContinue();
        }
        timer = vertx.setTimer(timeoutMillis, id -> {
            timer = -1;
            fail(408, "Request Timeout", "The body did not arrive within " + timeoutMillis + " ms");
        });
        request.handler(this::chunk);
        request.endHandler(v -> end());
        request.exceptionHandler(e -> release());
        rc.response().closeHandler(v -> release());
        request.resume();
    }

    private void chunk(Buffer chunk) {
        if (finished) {
            return; // refused already: what still arrives is dropped
        }
        if (received + chunk.length() > limit) {
            fail(413, "Content Too Large", "The body exceeds " + limit + " bytes");
            return;
        }
        if (!budget.take(chunk.length(), received)) {
            fail(503, "Service Unavailable", "Too many large bodies are arriving at once; retry shortly");
            return;
        }
        received += chunk.length();
        chunks.add(chunk.copy()); // the chunk's memory goes back to the pool after this call
    }

    private void end() {
        if (finished) {
            return;
        }
        List<Buffer> parts = chunks;
        release();
        Buffer body = Buffer.buffer((int) received);
        for (Buffer part : parts) {
            body.appendBuffer(part);
        }
        handOver.accept(rc, body);
    }

    private void fail(int status, String title, String detail) {
        if (finished) {
            return;
        }
        release();
        refuse(rc, status, title, detail);
    }

    /** Drops the buffered bytes and the timer; later events find the body finished. */
    private void release() {
        if (!finished) {
            budget.giveBack(received);
        }
        finished = true;
        chunks = null;
        if (timer != -1) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** How long an HTTP/1.1 connection is kept after a refusal while the client may still be sending. */
    static final long LINGER_MILLIS = 1000;

    /**
     * Answers with a problem and ends the exchange without reading the rest of the body: an HTTP/2 stream is reset
     * after the answer; an HTTP/1.1 connection is closed once the client has stopped sending or a second has
     * passed, whichever comes first (closed at once, the unread bytes make the kernel reset the connection, and the
     * client may lose the answer before it reads it).
     */
    static void refuse(RoutingContext rc, int status, String title, String detail) {
        HttpServerResponse response = rc.response();
        if (response.ended() || response.closed()) {
            return;
        }
        HttpServerRequest request = rc.request();
        boolean http2 = request.version() == HttpVersion.HTTP_2;
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (status == 503) {
            response.putHeader(HttpHeaders.RETRY_AFTER, "1");
        }
        String json = "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\""
                + detail + "\"}";
        if (http2) {
            response.end(json).onComplete(done -> response.reset(0)); // NO_ERROR: the answer is complete, stop sending
            return;
        }
        response.putHeader(HttpHeaders.CONNECTION, "close");
        if (request.isEnded()) {
            response.end(json);
            return;
        }
        Runnable close = () -> request.connection().close();
        long linger = rc.vertx().setTimer(LINGER_MILLIS, id -> close.run());
        request.handler(ignored -> {
        });
        request.endHandler(v -> {
            rc.vertx().cancelTimer(linger);
            close.run();
        });
        request.resume();
        response.end(json);
    }
}
