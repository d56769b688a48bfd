package wagateway.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.core.http.impl.HttpServerRequestWrapper;

/**
 * An HTTP/2 request whose body {@link BodyReader} has read, with nothing more to pause or resume.
 * Vert.x refuses {@code pause()} on an ended HTTP/2 request (HTTP/1.1 allows it), and Quarkus REST pauses every
 * request it starts on; this view lets it start on a request read in full, as it does over HTTP/1.1.
 */
final class ReadBodyRequest extends HttpServerRequestWrapper {

    private final Buffer body;

    ReadBodyRequest(HttpServerRequestInternal delegate, Buffer body) {
        super(delegate);
        this.body = body;
    }

    @Override
    public HttpServerRequest pause() {
        return this;
    }

    @Override
    public HttpServerRequest resume() {
        return this;
    }

    @Override
    public HttpServerRequest fetch(long amount) {
        return this;
    }

    @Override
    public HttpServerRequest handler(Handler<Buffer> handler) {
        return this;
    }

    @Override
    public HttpServerRequest endHandler(Handler<Void> handler) {
        if (handler != null) {
            context().runOnContext(v -> handler.handle(null));
        }
        return this;
    }

    @Override
    public HttpServerRequest bodyHandler(Handler<Buffer> handler) {
        if (handler != null) {
            context().runOnContext(v -> handler.handle(body));
        }
        return this;
    }

    @Override
    public Future<Buffer> body() {
        return Future.succeededFuture(body);
    }

    /**
     * Not ended as far as Quarkus REST asks: it then takes the body from the routing context
     * ({@code RoutingContext#body()}) instead of waiting for bytes that will not come.
     */
    @Override
    public boolean isEnded() {
        return false;
    }
}
