package wagateway.bench;

import java.util.UUID;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;

/**
 * The benchmark's floor for accepting a message (bench/run.sh, docs/performance.md): the least a service can do
 * and still say "202, stored" — plain Vert.x, parse the JSON body, one prepared INSERT of the same
 * {@code outbound_message} columns the gateway writes, answer 202 with the id. It does NOT authenticate, validate
 * the content against the Cloud API's rules, check consent or the window, honour idempotency keys, record metrics,
 * or wake a dispatcher: the gateway's accept path does all of that, so their ratio is the price of those duties.
 * <p>
 * {@code java -cp "target/quarkus-app/lib/main/*:classes" wagateway.bench.MinimalEndpoint port=18090
 * db=postgresql://127.0.0.1:5432/wagateway_bench user=postgres pool=20}
 */
public final class MinimalEndpoint {

    private static final String INSERT = "insert into outbound_message (id, api_key_id, sender, recipient, type, "
            + "category, priority, content, status, next_attempt_at, created_at, updated_at) "
            + "values ($1, 'minimal', 'main', $2, $3, $4, 1, $5, 'queued', now(), now(), now())";

    public static void main(String[] args) {
        int port = 18090;
        String db = "postgresql://127.0.0.1:5432/postgres";
        String user = "postgres";
        int poolSize = 20;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "port" -> port = Integer.parseInt(kv[1]);
                case "db" -> db = kv[1];
                case "user" -> user = kv[1];
                case "pool" -> poolSize = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown option " + kv[0]);
            }
        }
        // one event loop per core, like the gateway
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
        Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(poolSize))
                .connectingTo(PgConnectOptions.fromUri(db).setUser(user).setCachePreparedStatements(true))
                .using(vertx).build();
        int listen = port;
        vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            JsonObject message;
            try {
                message = body.toJsonObject();
            } catch (RuntimeException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            UUID id = UUID.randomUUID();
            String type = message.getString("type");
            JsonObject content = new JsonObject().put("type", type).put(type, message.getValue(type));
            pool.preparedQuery(INSERT)
                    .execute(Tuple.of(id, message.getString("to"), type, message.getString("category"), content))
                    .onSuccess(rows -> request.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                            .end(Buffer.buffer("{\"id\":\"" + id + "\",\"status\":\"queued\"}")))
                    .onFailure(e -> request.response().setStatusCode(503).end());
        })).listen(listen).onSuccess(server -> System.out.println("minimal endpoint on :" + listen))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }
}
