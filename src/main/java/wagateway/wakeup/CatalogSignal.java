package wagateway.wakeup;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Tells every replica that one account's template catalogue changed, so each reloads its in-memory copy: the
 * writer sends {@code pg_notify('wagateway_templates', <waba id>)} inside its transaction ({@link #NOTIFY}), which
 * PostgreSQL delivers at commit, to all listeners, this replica's own included ({@link QueueListener}). Catalogue
 * changes are rare (a sync, a template webhook), so the NOTIFY in the transaction costs nothing that matters,
 * unlike the queue's.
 */
@ApplicationScoped
public class CatalogSignal {

    static final String CHANNEL = "wagateway_templates";

    /** The statement a catalogue writer runs in its transaction, with the account's id as {@code $1}. */
    public static final String NOTIFY = "select pg_notify('" + CHANNEL + "', $1)";

    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    /**
     * Registers what runs, with the account's id, when a catalogue changed on any replica; with null when any may
     * have (the LISTEN was (re)established).
     */
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    void changed(String wabaId) {
        listeners.forEach(l -> l.accept(wabaId));
    }
}
