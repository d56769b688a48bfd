package wagateway.inbound;

import java.time.Instant;
import java.util.UUID;

import io.vertx.mutiny.sqlclient.Row;
import wagateway.support.Times;

/**
 * An inbound message's read receipt as stored.
 *
 * @param sender the configured sender the customer wrote to; null for a business number that is not ours
 * @param state null (never asked), {@code pending}, {@code sent} or {@code failed}
 */
public record ReadState(UUID id, String wamid, String sender, String state, Instant readAt, boolean typing,
        Integer errorCode, String errorTitle) {

    static final String COLUMNS = "id, wamid, sender, read_state, read_at, read_typing, read_error_code, "
            + "read_error_title";

    static ReadState of(Row row) {
        return new ReadState(row.getUUID("id"), row.getString("wamid"), row.getString("sender"),
                row.getString("read_state"), Times.instant(row.getOffsetDateTime("read_at")),
                Boolean.TRUE.equals(row.getBoolean("read_typing")), row.getInteger("read_error_code"),
                row.getString("read_error_title"));
    }
}
