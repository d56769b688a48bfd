package wagateway.sandbox;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.annotations.RegisterForReflection;
import wagateway.support.PhoneNumbers;

/**
 * Every message the sandbox accepted, keyed by wamid, for {@code GET /sandbox/messages} and status reporting,
 * and every message its customers wrote (for the console's threads). Each change is published to
 * {@link SandboxActivity}.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class MessageLedger {

    private final Map<String, SandboxMessage> messages = new ConcurrentHashMap<>();
    private final Map<String, CustomerMessage> inbound = new ConcurrentHashMap<>();
    private final List<ReadCall> readCalls = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private final SandboxActivity activity;

    MessageLedger(SandboxActivity activity) {
        this.activity = activity;
    }

    long nextSeq() {
        return sequence.incrementAndGet();
    }

    public void add(SandboxMessage message) {
        messages.put(message.wamid(), message);
        activity.publish("message", PhoneNumbers.fromWaId(message.waId()));
    }

    /** A customer wrote to the business. */
    public void addInbound(CustomerMessage message) {
        inbound.put(message.wamid(), message);
        activity.publish("inbound", message.phone());
    }

    /**
     * One read receipt the business sent (Graph API {@code status: read}), as the sandbox took it.
     *
     * @param typing whether it carried {@code typing_indicator: {type: text}}
     */
    @RegisterForReflection
    public record ReadCall(long seq, String wamid, String phone, String phoneNumberId, boolean typing, Instant at) {
    }

    /** The customer message with this wamid, if one was written to this business number. */
    public Optional<CustomerMessage> inboundTo(String phoneNumberId, String wamid) {
        return Optional.ofNullable(inbound.get(wamid)).filter(m -> m.phoneNumberId().equals(phoneNumberId));
    }

    /** The business marked a customer's message read (the caller checked that it exists); every call is kept. */
    public void markInboundRead(String wamid, boolean typing, Instant at) {
        CustomerMessage read = inbound.computeIfPresent(wamid, (id, message) -> message.read(typing, at));
        if (read != null) {
            readCalls.add(new ReadCall(nextSeq(), wamid, read.phone(), read.phoneNumberId(), typing, at));
            activity.publish("status", read.phone());
        }
    }

    /** Read receipts taken, oldest first; {@code wamid} null for all. */
    public List<ReadCall> readCalls(String wamid) {
        return readCalls.stream().filter(c -> wamid == null || c.wamid().equals(wamid)).toList();
    }

    /** What the customer with this phone (E.164 with '+') wrote, oldest first. */
    public List<CustomerMessage> inboundFrom(String phone) {
        return inbound.values().stream().filter(m -> m.phone().equals(phone))
                .sorted(Comparator.comparingLong(CustomerMessage::seq)).toList();
    }

    public Optional<SandboxMessage> find(String wamid) {
        return Optional.ofNullable(messages.get(wamid));
    }

    /** Records a status the sandbox reported (forward only). */
    public void report(String wamid, String status, Integer errorCode) {
        SandboxMessage updated = messages.computeIfPresent(wamid, (id, message) -> message.reported(status, errorCode));
        if (updated != null) {
            activity.publish("status", PhoneNumbers.fromWaId(updated.waId()));
        }
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
        inbound.clear();
        readCalls.clear();
    }
}
