package wagateway.message;

import java.util.UUID;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/** The parts of an {@code outbound_message} row a status webhook needs. */
record OutboundMessageRef(UUID id, String status, String wamid, String recipient, String sender, String callbackUrl,
        JsonObject metadata, boolean fallbackUnused) {

    /** {@code fallback_unused}: it has a fallback template that has not been sent yet. */
    static final String COLUMNS = "id, status, wamid, recipient, sender, callback_url, metadata, "
            + "(fallback_template is not null and not sent_template) as fallback_unused";

    static OutboundMessageRef of(Row row) {
        Object metadata = row.getValue("metadata");
        return new OutboundMessageRef(row.getUUID("id"), row.getString("status"), row.getString("wamid"),
                row.getString("recipient"), row.getString("sender"), row.getString("callback_url"),
                metadata instanceof JsonObject json ? json : null, Boolean.TRUE.equals(row.getBoolean("fallback_unused")));
    }

    OutboundMessageRef withStatus(String newStatus) {
        return new OutboundMessageRef(id, newStatus, wamid, recipient, sender, callbackUrl, metadata, fallbackUnused);
    }

    OutboundMessageRef withWamid(String newWamid) {
        return new OutboundMessageRef(id, status, newWamid, recipient, sender, callbackUrl, metadata, fallbackUnused);
    }
}
