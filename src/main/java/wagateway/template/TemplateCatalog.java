package wagateway.template;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import wagateway.config.GatewayConfig;
import wagateway.support.OwnContext;
import wagateway.wakeup.CatalogSignal;

/**
 * Each replica's in-memory copy of the catalogue, one immutable {@link AccountTemplates} per account, so that
 * checking a template at accept and at send costs a map lookup, never a database round trip. An account is
 * reloaded from the database (through Panache, on a context of its own) when any replica changed it
 * ({@link CatalogSignal}), and all of them at start and whenever the LISTEN was (re)established. Until an account
 * has been read from the database, or if it was never synced, it counts as never synced: the static
 * {@code gateway.templates.<name>.category} map stands in.
 */
@ApplicationScoped
public class TemplateCatalog {

    private final WabaDirectory wabas;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Map<String, AccountTemplates> accounts = new ConcurrentHashMap<>();
    /**
     * Reloads started per account, and the latest applied: a reload is kept unless a later-started one (which read
     * the database no earlier) was applied already, so an older read never overwrites a newer one, and a caller
     * who awaited its reload sees at least what that reload read.
     */
    private final Map<String, AtomicLong> reloads = new ConcurrentHashMap<>();
    private final Map<String, long[]> applied = new ConcurrentHashMap<>();

    TemplateCatalog(WabaDirectory wabas, GatewayConfig config, Vertx vertx, ObjectMapper mapper, Clock clock,
            CatalogSignal signal, MeterRegistry metrics) {
        this.wabas = wabas;
        this.config = config;
        this.vertx = vertx;
        this.mapper = mapper;
        this.clock = clock;
        for (WabaDirectory.Account account : wabas.all()) {
            accounts.put(account.id(), AccountTemplates.of(account.id(), null, List.of()));
            reloads.put(account.id(), new AtomicLong());
            applied.put(account.id(), new long[1]);
            Gauge.builder("wagateway_template_catalog_templates", () -> get(account.id()).size())
                    .description("Templates in this replica's catalogue of the account").tag("waba", account.name())
                    .register(metrics);
            Gauge.builder("wagateway_template_catalog_age_seconds", () -> age(account.id()))
                    .description("Seconds since the account's catalogue was last read whole from the Graph API "
                            + "(-1: never; the static gateway.templates categories stand in)")
                    .tag("waba", account.name()).register(metrics);
            Gauge.builder("wagateway_template_catalog_missing", () -> get(account.id()).synced() ? 0 : 1)
                    .description("1 while the account's catalogue has never been synced").tag("waba", account.name())
                    .register(metrics);
        }
        signal.onChange(wabaId -> {
            Uni<Void> reload = wabaId == null ? reloadAll() : reload(wabaId);
            reload.subscribe().with(ok -> {
            }, failure -> Log.warnf("Template catalogue reload failed (%s); the next change or sync retries",
                    failure.getMessage()));
        });
    }

    /** The catalogue of the sender's account; null when the sender belongs to no configured account. */
    public AccountTemplates forSender(String sender) {
        WabaDirectory.Account account = wabas.ofSender(sender);
        return account == null ? null : get(account.id());
    }

    /**
     * The category of a template as the sender's messages go: from the account's catalogue once it was synced (the
     * language's entry, else any of the name's: Meta categorises per template), else the static
     * {@code gateway.templates.<name>.category}; null when neither knows the name.
     */
    public String category(String sender, String name, String language) {
        if (name == null) {
            return null;
        }
        AccountTemplates catalog = sender == null ? null : forSender(sender);
        if (catalog != null && catalog.synced()) {
            TemplateFacts facts = language == null ? null : catalog.find(name, language);
            String category = facts != null ? facts.category() : catalog.category(name);
            if (category != null) {
                return category;
            }
        }
        GatewayConfig.Template configured = config.templates().get(name);
        return configured == null ? null : configured.category();
    }

    public AccountTemplates get(String wabaId) {
        return accounts.getOrDefault(wabaId, AccountTemplates.of(wabaId, null, List.of()));
    }

    /** Seconds since the account's last whole read, -1 when never. */
    double age(String wabaId) {
        Instant synced = get(wabaId).syncedAt();
        return synced == null ? -1 : Duration.between(synced, clock.instant()).toMillis() / 1000.0;
    }

    Uni<Void> reloadAll() {
        return Multi.createFrom().iterable(wabas.all()).onItem().transformToUniAndConcatenate(a -> reload(a.id()))
                .collect().last().replaceWithVoid();
    }

    /** Reads the account from the database and replaces this replica's copy. */
    Uni<Void> reload(String wabaId) {
        AtomicLong counter = reloads.get(wabaId);
        if (counter == null) {
            return Uni.createFrom().voidItem(); // not an account of this configuration
        }
        long reload = counter.incrementAndGet();
        return OwnContext.run(vertx, () -> Panache.withSession(() -> CatalogSync.<CatalogSync> findById(wabaId)
                .chain(sync -> CatalogTemplate.<CatalogTemplate> list("wabaId", wabaId)
                        .map(rows -> AccountTemplates.of(wabaId, sync == null ? null : sync.syncedAt,
                                rows.stream().map(this::facts).toList())))))
                .invoke(loaded -> {
                    long[] latest = applied.get(wabaId);
                    synchronized (latest) {
                        if (reload > latest[0]) {
                            latest[0] = reload;
                            accounts.put(wabaId, loaded);
                        }
                    }
                }).replaceWithVoid();
    }

    private TemplateFacts facts(CatalogTemplate row) {
        TemplateShape shape;
        try {
            shape = TemplateShape.of(mapper.readTree(row.components));
        } catch (Exception e) {
            shape = TemplateShape.of(mapper.createArrayNode());
        }
        return new TemplateFacts(row.wabaId, row.name, row.language, row.metaId, row.status, row.category, row.quality,
                row.parameterFormat, row.components, shape, row.updatedAt, row.pausedUntil);
    }
}
