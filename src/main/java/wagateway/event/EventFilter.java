package wagateway.event;

import java.util.Set;

import io.vertx.mutiny.sqlclient.Tuple;

/**
 * What one stream subscriber wants: one contact's events and/or some event types (null: all). Applied in SQL
 * for the catch-up and in memory for live events, with the same meaning.
 */
record EventFilter(String contact, Set<String> types) {

    static final EventFilter ALL = new EventFilter(null, null);

    boolean matches(StreamedEvent event) {
        return (contact == null || contact.equals(event.contactPhone()))
                && (types == null || types.contains(event.type()));
    }

    /** Appends this filter's conditions to {@code where}, binding into {@code params}. */
    String sql(Tuple params) {
        StringBuilder where = new StringBuilder();
        if (contact != null) {
            params.addString(contact);
            where.append(" and contact_phone = $").append(params.size());
        }
        if (types != null) {
            params.addArrayOfString(types.toArray(String[]::new));
            where.append(" and type = any($").append(params.size()).append(")");
        }
        return where.toString();
    }
}
