package wagateway.support;

import java.util.Map;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Ties rows of one table to their contact (V15 {@code contact_id}) inside the caller's transaction: first the rows of
 * contacts merged into another follow it, then rows without contact keyed by an identifier get its holder. Each table
 * keeps its own statements in its owning package; this is only the order and the array binding they share.
 */
public final class ContactAssignment {

    private ContactAssignment() {
    }

    /**
     * @param move {@code $1} merged contact ids, {@code $2} the ids they became part of
     * @param assign {@code $1} identifiers (phone or user id), {@code $2} the contact holding each
     */
    public static Uni<Void> apply(SqlClient tx, String move, String assign, Map<String, String> contactByIdentifier,
            Map<String, String> merged) {
        Uni<Void> moved = merged.isEmpty() ? Uni.createFrom().voidItem() : pairs(tx, move, merged);
        return contactByIdentifier.isEmpty() ? moved : moved.chain(() -> pairs(tx, assign, contactByIdentifier));
    }

    private static Uni<Void> pairs(SqlClient tx, String sql, Map<String, String> pairs) {
        return tx.preparedQuery(sql).execute(Tuple.of(pairs.keySet().toArray(String[]::new),
                pairs.values().toArray(String[]::new))).replaceWithVoid();
    }
}
