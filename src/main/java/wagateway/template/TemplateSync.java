package wagateway.template;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Keeps each account's catalogue in step with the Graph API: once after start (in the background: readiness never
 * waits for Meta), every {@code gateway.template-catalog.sync-interval}, at once after a template webhook, on
 * {@code POST /v1/templates/sync}, and on demand when a send names a template the catalogue does not know (at most
 * once a minute per account, across replicas). One sync per account at a time on a replica: a request while one
 * runs queues one more after it, shared by all who ask meanwhile. A sync reads every page first and writes only a
 * whole catalogue.
 */
@ApplicationScoped
public class TemplateSync {

    /** The least time between two on-demand syncs of one account (an unknown template), across replicas. */
    static final Duration ON_DEMAND_EVERY = Duration.ofMinutes(1);

    private final WabaDirectory wabas;
    private final GraphTemplateClient graph;
    private final CatalogStore store;
    private final TemplateCatalog catalog;
    private final Pool pool;
    private final Clock clock;
    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final Map<String, Runs> runs = new ConcurrentHashMap<>();

    TemplateSync(WabaDirectory wabas, GraphTemplateClient graph, CatalogStore store, TemplateCatalog catalog, Pool pool,
            Clock clock, Vertx vertx, MeterRegistry metrics) {
        this.wabas = wabas;
        this.graph = graph;
        this.store = store;
        this.catalog = catalog;
        this.pool = pool;
        this.clock = clock;
        this.vertx = vertx;
        this.metrics = metrics;
    }

    /** After start, without holding it up: the database's copy first (no Graph needed), then a sync. */
    void start(@Observes StartupEvent event) {
        if (wabas.all().isEmpty()) {
            return;
        }
        vertx.setTimer(1, id -> catalog.reloadAll()
                .onFailure().invoke(e -> Log.warnf("Template catalogue not loaded from the database (%s)", e.getMessage()))
                .onFailure().recoverWithNull()
                .chain(this::syncAllQuietly).subscribe().with(ok -> {
                }, failure -> {
                }));
    }

    @Scheduled(identity = "template-catalog-sync", every = "${gateway.template-catalog.sync-interval}", delayed = "${gateway.template-catalog.sync-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> onTimer() {
        return syncAllQuietly();
    }

    private Uni<Void> syncAllQuietly() {
        return Multi.createFrom().iterable(wabas.all())
                .onItem().transformToUniAndConcatenate(a -> sync(a).onFailure().recoverWithNull())
                .collect().last().replaceWithVoid();
    }

    /** Syncs the given accounts now, one after the other. @return templates per account name */
    public Uni<Map<String, Integer>> syncNow(List<WabaDirectory.Account> accounts) {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        return Multi.createFrom().iterable(accounts)
                .onItem().transformToUniAndConcatenate(a -> sync(a).invoke(n -> counts.put(a.name(), n)))
                .collect().last().replaceWith(counts);
    }

    /** A template webhook came for the account: sync it at once (its change is applied already). */
    public void afterWebhook(String wabaId) {
        WabaDirectory.Account account = wabas.byId(wabaId);
        if (account != null) {
            sync(account).subscribe().with(n -> {
            }, failure -> {
            });
        }
    }

    /**
     * A send names a template the sender's account does not know: sync the account, unless some replica did so
     * on demand within the last minute. @return whether a sync ran (and the catalogue may now know it)
     */
    public Uni<Boolean> onDemand(String sender) {
        WabaDirectory.Account account = wabas.ofSender(sender);
        return account == null ? Uni.createFrom().item(false) : onDemand(account);
    }

    /**
     * A batch names templates its senders' accounts do not know: at most one on-demand sync per account for the
     * whole batch (each still rate-limited as above), one account after the other. @return the senders whose
     * account synced
     */
    public Uni<Set<String>> onDemand(Collection<String> senders) {
        Map<String, List<String>> byAccount = new LinkedHashMap<>();
        for (String sender : senders) {
            WabaDirectory.Account account = sender == null ? null : wabas.ofSender(sender);
            if (account != null) {
                byAccount.computeIfAbsent(account.id(), id -> new ArrayList<>()).add(sender);
            }
        }
        if (byAccount.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        Set<String> synced = ConcurrentHashMap.newKeySet();
        return Multi.createFrom().iterable(byAccount.entrySet()).onItem()
                .transformToUniAndConcatenate(e -> onDemand(wabas.byId(e.getKey()))
                        .invoke(ok -> {
                            if (ok) {
                                synced.addAll(e.getValue());
                            }
                        }))
                .collect().last().replaceWith(synced);
    }

    private Uni<Boolean> onDemand(WabaDirectory.Account account) {
        // never fails the accept: without a sync, the catalogue as it is decides
        return store.demand(pool, account.id(), clock.instant(), ON_DEMAND_EVERY)
                .chain(mine -> mine ? sync(account).replaceWith(true) : Uni.createFrom().item(false))
                .onFailure().recoverWithItem(false);
    }

    /** An account's sync in progress, and the one queued behind it. */
    private static final class Runs {
        Uni<Integer> running;
        Uni<Integer> next;
    }

    /**
     * A sync of the account that starts after this call: at once when none runs, else one queued behind the
     * running one and shared by everyone who asks meanwhile (the running one may have read the Graph before the
     * change that made them ask). @return the templates read
     */
    Uni<Integer> sync(WabaDirectory.Account account) {
        Runs runs = this.runs.computeIfAbsent(account.id(), id -> new Runs());
        synchronized (runs) {
            if (runs.running == null) {
                runs.running = tracked(runs, read(account));
                return runs.running;
            }
            if (runs.next == null) {
                runs.next = tracked(runs, runs.running.onItemOrFailure().transformToUni((n, failure) -> read(account)));
            }
            return runs.next;
        }
    }

    private static Uni<Integer> tracked(Runs runs, Uni<Integer> sync) {
        @SuppressWarnings("unchecked")
        Uni<Integer>[] self = new Uni[1];
        self[0] = sync.onTermination().invoke(() -> {
            synchronized (runs) {
                if (runs.running == self[0]) {
                    runs.running = runs.next;
                    runs.next = null;
                }
            }
        }).memoize().indefinitely();
        return self[0];
    }

    private Uni<Integer> read(WabaDirectory.Account account) {
        var started = clock.instant();
        return graph.fetchAll(account, started)
                .chain(templates -> pool.withTransaction(tx -> store.replace(tx, account.id(), templates, started))
                        .replaceWith(templates.size()))
                // this replica's copy at once; the others (and this one again) on the NOTIFY at commit
                .call(n -> catalog.reload(account.id()))
                .invoke(n -> {
                    metrics.counter("wagateway_template_syncs_total", "waba", account.name(), "outcome", "ok")
                            .increment();
                    Log.debugf("Template catalogue of %s synced: %d templates", account.name(), n);
                })
                .onFailure().invoke(e -> {
                    metrics.counter("wagateway_template_syncs_total", "waba", account.name(), "outcome", "failed")
                            .increment();
                    Log.warnf("Template catalogue of %s not synced (%s); the previous catalogue stays in use",
                            account.name(), e.getMessage());
                });
    }
}
