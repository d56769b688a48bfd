package wagateway.sandbox;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

/** Every message the sandbox accepted, keyed by wamid, for {@code GET /sandbox/messages} and status reporting. */
@ApplicationScoped
public class MessageLedger {

    private final Map<String, SandboxMessage> messages = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    long nextSeq() {
        return sequence.incrementAndGet();
    }

    public void add(SandboxMessage message) {
        messages.put(message.wamid(), message);
    }

    public Optional<SandboxMessage> find(String wamid) {
        return Optional.ofNullable(messages.get(wamid));
    }

    /** Records a status the sandbox reported (forward only). */
    public void report(String wamid, String status, Integer errorCode) {
        messages.computeIfPresent(wamid, (id, message) -> message.reported(status, errorCode));
    }

    /** @param waId digits without '+', or null for all */
    public List<SandboxMessage> list(String waId) {
        return messages.values().stream()
                .filter(m -> waId == null || m.waId().equals(waId))
                .sorted(Comparator.comparingLong(SandboxMessage::seq))
                .toList();
    }

    public void clear() {
        messages.clear();
    }
}
