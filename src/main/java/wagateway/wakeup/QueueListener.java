package wagateway.wakeup;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import wagateway.config.GatewayConfig;

/**
 * LISTENs on {@code wagateway_queue} ({@link QueueSignal} NOTIFYs after accepts on any replica) so a new
 * message is picked up within milliseconds rather than at the next poll, and on {@code wagateway_templates}
 * ({@link CatalogSignal}) so each replica reloads a template catalogue another one changed. Reconnects by itself after a
 * database
 * restart; the poll covers the gap.
 */
@ApplicationScoped
public class QueueListener {

    static final String CHANNEL = "wagateway_queue";

    private final QueueSignal signal;
    private final CatalogSignal catalog;
    private final Vertx vertx;
    private final GatewayConfig config;
    private final Optional<String> url;
    private final Optional<String> user;
    private final Optional<String> password;
    private PgSubscriber subscriber;

    QueueListener(QueueSignal signal, CatalogSignal catalog, Vertx vertx, GatewayConfig config,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") Optional<String> url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.signal = signal;
        this.catalog = catalog;
        this.vertx = vertx;
        this.config = config;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    void start(@Observes StartupEvent event) {
        // a drain run polls until nothing is due and exits: it waits for no new work, but it still checks
        // templates at send, so it follows catalogue changes like every other replica
        boolean dispatching = config.dispatch().enabled() && config.dispatch().mode() != GatewayConfig.Mode.DRAIN;
        // every replica that accepts checks templates against its in-memory catalogue, so it listens for changes
        if (url.isEmpty() || !dispatching && config.wabas().isEmpty()) {
            return;
        }
        String uri = url.get();
        PgConnectOptions options = PgConnectOptions.fromUri(uri.startsWith("vertx-reactive:") ? uri.substring(15) : uri);
        user.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 1000L);
        if (dispatching) {
            subscriber.channel(CHANNEL).handler(payload -> signal.wakeLocal());
        }
        // (re)subscribed: NOTIFYs sent while the connection was down are lost, so every catalogue is reloaded
        subscriber.channel(CatalogSignal.CHANNEL).handler(catalog::changed).subscribeHandler(() -> catalog.changed(null));
        // connecting is asynchronous: startup does not wait for it (the poll covers the first second)
        subscriber.connect().subscribe().with(ok -> Log.debug("Listening for new messages"),
                failure -> Log.warnf("LISTEN %s failed (%s); relying on the poll until it reconnects", CHANNEL,
                        failure.getMessage()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.closeAndForget();
        }
    }
}
