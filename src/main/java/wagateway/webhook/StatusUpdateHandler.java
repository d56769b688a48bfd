package wagateway.webhook;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.webhook.api.StatusUpdate;

/**
 * Finds the message a Meta status is about, by wamid, else by {@code biz_opaque_callback_data} (our message
 * id, spec §3.7: it matches even when a crash lost the wamid, which is then recorded), and applies it; a
 * status for neither is kept as an orphan until its message shows up.
 */
@ApplicationScoped
public class StatusUpdateHandler {

    private final MessageStatusRecorder recorder;
    private final OrphanStatuses orphans;

    StatusUpdateHandler(MessageStatusRecorder recorder, OrphanStatuses orphans) {
        this.recorder = recorder;
        this.orphans = orphans;
    }

    Uni<Void> apply(SqlClient tx, StatusUpdate update) {
        if (update.status() == null || update.wamid() == null && update.bizOpaqueCallbackData() == null) {
            Log.warn("Status without status value or message id: ignored");
            return Uni.createFrom().voidItem();
        }
        return recorder.lockByWamid(tx, update.wamid()).chain(message -> message != null
                ? recorder.apply(tx, message, update).replaceWithVoid()
                : applyByOurId(tx, update));
    }

    private Uni<Void> applyByOurId(SqlClient tx, StatusUpdate update) {
        UUID id = uuidOrNull(update.bizOpaqueCallbackData());
        if (id == null) {
            return orphans.keep(tx, update);
        }
        return recorder.lockById(tx, id).chain(message -> {
            if (message == null) {
                return orphans.keep(tx, update);
            }
            if (message.wamid() != null || update.wamid() == null) {
                return recorder.apply(tx, message, update).replaceWithVoid();
            }
            return tx.preparedQuery("update outbound_message set wamid = $2 where id = $1 and wamid is null")
                    .execute(Tuple.of(id, update.wamid()))
                    .chain(() -> recorder.apply(tx, message.withWamid(update.wamid()), update))
                    .chain(() -> orphans.applyOrphans(tx, id, update.wamid()));
        });
    }

    static UUID uuidOrNull(String value) {
        if (value == null) {
            return null;
        }
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
