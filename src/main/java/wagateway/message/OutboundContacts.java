package wagateway.message;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import wagateway.support.ContactAssignment;

/**
 * Ties outbound messages to the contact (person) they were sent to ({@code outbound_message.contact_id}, V15), as
 * webhooks tell who holds which identifier. The accept path writes no contact (it stays one insert): a message
 * addressed to an identifier belongs to the contact holding it now (SQL {@code conversation_of}), and becomes that
 * contact's for good here, when its customer writes, links a BSUID to a phone or changes number, so a thread and
 * its conversation survive the identifier moving on.
 */
@ApplicationScoped
public class OutboundContacts {

    /** Only rows without contact are looked at (a partial index): a known customer costs one probe per identifier. */
    private static final String ASSIGN = """
            update outbound_message o set contact_id = u.contact_id
            from unnest($1::text[], $2::text[]) as u(key, contact_id)
            where o.contact_id is null and o.recipient = u.key""";
    /** The messages of contacts merged into another (the same person) follow it. */
    private static final String MOVE = """
            update outbound_message o set contact_id = m.into_id from unnest($1::text[], $2::text[]) as m(from_id, into_id)
            where o.contact_id = m.from_id""";

    /**
     * @param contactByIdentifier a phone or user id, and the contact that holds it (or held it, for the old
     *        identifiers of a change)
     * @param merged each merged contact's id, and the id of the contact it became part of
     */
    public Uni<Void> assign(SqlClient tx, Map<String, String> contactByIdentifier, Map<String, String> merged) {
        return ContactAssignment.apply(tx, MOVE, ASSIGN, contactByIdentifier, merged);
    }
}
