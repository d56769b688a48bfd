package wagateway.template;

import java.time.Clock;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import wagateway.cloudapi.webhook.TemplateChange;

/**
 * Meta's template webhooks ({@code message_template_status_update}, {@code template_category_update},
 * {@code message_template_quality_update}): applied to the catalogue in the webhook's transaction, so a paused
 * template is refused as soon as the webhook commits (every replica reloads on the NOTIFY), then a sync of the
 * account at once, which also brings templates the catalogue did not know yet. Webhooks of accounts that are not
 * configured are ignored.
 */
@ApplicationScoped
public class TemplateWebhooks {

    private final CatalogStore store;
    private final TemplateSync sync;
    private final WabaDirectory wabas;
    private final Clock clock;

    TemplateWebhooks(CatalogStore store, TemplateSync sync, WabaDirectory wabas, Clock clock) {
        this.store = store;
        this.sync = sync;
        this.wabas = wabas;
        this.clock = clock;
    }

    /** Inside the webhook's transaction, in Meta's order. */
    public Uni<Void> apply(SqlClient tx, List<TemplateChange> changes) {
        List<TemplateChange> ours = changes.stream().filter(c -> wabas.byId(c.wabaId()) != null).toList();
        if (ours.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(ours).onItem()
                .transformToUniAndConcatenate(change -> store.apply(tx, change, clock.instant()))
                .collect().last().replaceWithVoid();
    }

    /** After the webhook's transaction committed: sync each account it concerned. */
    public void committed(List<TemplateChange> changes) {
        changes.stream().map(TemplateChange::wabaId).distinct().forEach(sync::afterWebhook);
    }
}
