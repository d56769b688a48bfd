package wagateway.event;

import java.util.HashSet;
import java.util.Set;

import io.vertx.mutiny.sqlclient.Tuple;

/**
 * What one stream subscriber wants: one contact's events and/or some event types (null: all). Applied in SQL
 * for the catch-up and in memory for live events, with the same meaning.
 *
 * <p>
 * A contact's events (issue 17) are those tied to it ({@code event_outbox.contact_id}, V15) and those without
 * contact keyed by any identifier it has or wrote with ({@code contact_phone}: a phone, or the business-scoped
 * user id a message was addressed to): a customer with a phone and a BSUID, written to by BSUID, is one stream.
 * Rows of the previous release carry no contact id: the identifiers find them. A live stream opened before its
 * customer ever wrote (no contact yet) learns the contact from the first event keyed by one of its identifiers,
 * and from then on follows that person whatever identifier their events are keyed by. Used under its
 * subscriber's lock.
 *
 * @param contactIds the contacts named by the filter (empty when the identifier names none yet); grows as above
 * @param keys the identifiers events of this contact may be keyed by; null: no contact filter
 */
record EventFilter(Set<String> contactIds, Set<String> keys, Set<String> types) {

    static final EventFilter ALL = new EventFilter(Set.of(), null, null);

    static EventFilter of(String contactId, Set<String> keys, Set<String> types) {
        Set<String> ids = new HashSet<>();
        if (contactId != null) {
            ids.add(contactId);
        }
        return new EventFilter(ids, keys, types);
    }

    boolean matches(StreamedEvent event) {
        return (keys == null || ofContact(event)) && (types == null || types.contains(event.type()));
    }

    private boolean ofContact(StreamedEvent event) {
        if (event.contactId() != null && contactIds.contains(event.contactId())) {
            return true;
        }
        if (!keys.contains(event.contactPhone())) {
            return false;
        }
        if (event.contactId() != null) {
            contactIds.add(event.contactId());
        }
        return true;
    }

    /** Appends this filter's conditions to {@code where}, binding into {@code params}. */
    String sql(Tuple params) {
        StringBuilder where = new StringBuilder();
        if (keys != null) {
            params.addArrayOfString(contactIds.toArray(String[]::new));
            int ids = params.size();
            params.addArrayOfString(keys.toArray(String[]::new));
            where.append(" and (contact_id = any($").append(ids).append(") or contact_id is null and contact_phone = any($")
                    .append(params.size()).append("))");
        }
        if (types != null) {
            params.addArrayOfString(types.toArray(String[]::new));
            where.append(" and type = any($").append(params.size()).append(")");
        }
        return where.toString();
    }
}
