package wagateway.event;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * A business's callback receiver as its own HTTP server on an ephemeral loopback port, so each one is a
 * destination of its own (scheme, host and port): answers at once, fails, waits a random while, or answers
 * its headers and then stalls the body ({@link Behaviour}). Records every request in arrival order.
 */
final class TestReceiver implements AutoCloseable {

    enum Behaviour {
        /** 200 at once. */
        OK,
        /** 500 at once. */
        FAIL,
        /** 200 after 0–15 ms. */
        RANDOM_DELAY,
        /** 200 and a first chunk of the body, then nothing until {@link #release}: the body never ends. */
        STALL,
        /** 200, then body chunks without end. */
        ENDLESS_BODY
    }

    /** One request as received. */
    record Received(long eventId, String messageId, String from, String signature, byte[] body, int answeredWith) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private volatile Behaviour behaviour;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peakActive = new AtomicInteger();

    private TestReceiver(Behaviour behaviour) {
        this.behaviour = behaviour;
        this.server = vertx.createHttpServer()
                .connectionHandler(connection -> connections.incrementAndGet())
                .requestHandler(request -> request.body().onSuccess(body -> answer(request, body)));
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static TestReceiver start(Behaviour behaviour) {
        return new TestReceiver(behaviour);
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/events";
    }

    /** From now on, answer 200 at once. */
    void release() {
        behaviour = Behaviour.OK;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    long distinctEvents() {
        return received.stream().mapToLong(Received::eventId).distinct().count();
    }

    /** TCP connections the gateway opened to this receiver. */
    int connections() {
        return connections.get();
    }

    /** The most requests this receiver had open at once. */
    int peakConcurrent() {
        return peakActive.get();
    }

    private void answer(HttpServerRequest request, Buffer body) {
        Behaviour now = behaviour;
        JsonObject json = new JsonObject(body);
        received.add(new Received(Long.parseLong(request.getHeader(CallbackDispatcher.EVENT_ID_HEADER)),
                json.getString("messageId"), json.getString("from"), request.getHeader(CallbackSigner.HEADER),
                body.getBytes(), now == Behaviour.FAIL ? 500 : 200));
        peakActive.accumulateAndGet(active.incrementAndGet(), Math::max);
        var response = request.response();
        AtomicBoolean open = new AtomicBoolean(true);
        Runnable done = () -> {
            if (open.compareAndSet(true, false)) {
                active.decrementAndGet();
            }
        };
        response.closeHandler(closed -> done.run());
        switch (now) {
            case OK -> response.setStatusCode(200).end("{\"ok\":true}").onComplete(end -> done.run());
            case FAIL -> response.setStatusCode(500).end("{\"error\":\"down\"}").onComplete(end -> done.run());
            case RANDOM_DELAY -> vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(15),
                    id -> response.setStatusCode(200).end().onComplete(end -> done.run()));
            case STALL -> response.setStatusCode(200).setChunked(true).write("{\"ok\":");
            case ENDLESS_BODY -> {
                response.setStatusCode(200).setChunked(true);
                vertx.setPeriodic(1, id -> {
                    if (response.closed() || response.ended()) {
                        vertx.cancelTimer(id);
                    } else if (!response.writeQueueFull()) {
                        response.write("x".repeat(1024));
                    }
                });
            }
        }
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
