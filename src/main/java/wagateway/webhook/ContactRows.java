package wagateway.webhook;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import wagateway.contact.ContactResolver;
import wagateway.event.EventOutbox;
import wagateway.inbound.InboundMessages;
import wagateway.message.OutboundContacts;

/**
 * Once a webhook has said who its customers are ({@link ContactResolver}), the rows about them follow, each in
 * the package that owns it: inbound messages, outbound messages and events of contacts merged into another move
 * to it, and outbound messages and events still without contact, keyed by an identifier a customer of the webhook
 * holds (or held, for the old number of a change), become that customer's. So the thread, the conversation list
 * and {@code /v1/events?contact=} see one person whichever identifier a row was keyed by (issue 17).
 */
@ApplicationScoped
class ContactRows {

    private final InboundMessages inbound;
    private final OutboundContacts outbound;
    private final EventOutbox events;

    ContactRows(InboundMessages inbound, OutboundContacts outbound, EventOutbox events) {
        this.inbound = inbound;
        this.outbound = outbound;
        this.events = events;
    }

    /** @param resolved the contact of each customer, in order (null: a customer naming nobody) */
    Uni<Void> follow(SqlClient tx, List<ContactResolver.Customer> customers, List<ContactResolver.Resolved> resolved) {
        Map<String, String> byIdentifier = new LinkedHashMap<>();
        Map<String, String> merged = new LinkedHashMap<>();
        for (int i = 0; i < customers.size(); i++) {
            ContactResolver.Resolved contact = resolved.get(i);
            if (contact == null) {
                continue;
            }
            ContactResolver.Customer c = customers.get(i);
            for (String identifier : new String[] { c.phone(), c.userId(), c.newPhone(), c.newUserId() }) {
                if (identifier != null) {
                    byIdentifier.put(identifier, contact.id());
                }
            }
            contact.merged().forEach(from -> merged.put(from, contact.id()));
        }
        if (byIdentifier.isEmpty() && merged.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return inbound.assignContacts(tx, List.of(), List.of(), merged)
                .chain(() -> outbound.assign(tx, byIdentifier, merged))
                .chain(() -> events.assignContacts(tx, byIdentifier, merged));
    }
}
