package wagateway.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;

/**
 * The sandbox's customers and their customer-service windows. A window belongs to a (business number,
 * customer) pair, as on WhatsApp: it opens for 24 h when the customer writes, 72 h when they came from a
 * click-to-WhatsApp ad (free entry point), and each new message restarts it. Every customer the sandbox has
 * seen (configured, wrote, or was sent a message) is listed; one never configured has the defaults.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class CustomerDirectory {

    static final Duration WINDOW = Duration.ofHours(24);
    static final Duration FREE_ENTRY_POINT_WINDOW = Duration.ofHours(72);

    /** When a window closes and whether it came from a free entry point (referral). */
    record Window(Instant openUntil, boolean freeEntryPoint) {
    }

    private final Map<String, SandboxCustomer> customers = new ConcurrentHashMap<>();
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    /** The customer with this E.164 phone; an unknown one behaves as a reachable reader. */
    public SandboxCustomer get(String phone) {
        return customers.getOrDefault(phone, SandboxCustomer.unknown(phone));
    }

    /** The customer seen with this business-scoped user id, if any. */
    public Optional<SandboxCustomer> byUserId(String userId) {
        return seen.stream().map(this::get).filter(c -> c.userId().equals(userId)).findFirst();
    }

    /**
     * The customer moves to {@code newPhone} (Meta gives them a new business-scoped user id): their settings and
     * open windows go with them.
     */
    public SandboxCustomer changeNumber(String phone, String newPhone) {
        SandboxCustomer after = get(phone).withPhone(newPhone);
        customers.remove(phone);
        seen.remove(phone);
        put(after);
        windowsOf(phone).forEach((phoneNumberId, window) -> {
            windows.remove(key(phoneNumberId, phone));
            windows.put(key(phoneNumberId, newPhone), window);
        });
        return after;
    }

    /** Whether the sandbox has seen this phone: configured, wrote, or was sent a message. */
    public boolean hasSeen(String phone) {
        return seen.contains(phone);
    }

    public void put(SandboxCustomer customer) {
        customers.put(customer.phone(), customer);
        seen.add(customer.phone());
    }

    /** The business sent this customer a message (the sandbox accepted it): they are listed from now on. */
    public void sentTo(String phone) {
        seen.add(phone);
    }

    /** Every customer seen, by phone. */
    public List<SandboxCustomer> all() {
        return seen.stream().sorted().map(this::get).toList();
    }

    /** The customer wrote to the business number at {@code at}: their window (re)opens. */
    public Window open(String phoneNumberId, String phone, Instant at, boolean referral) {
        Window window = new Window(at.plus(referral ? FREE_ENTRY_POINT_WINDOW : WINDOW), referral);
        windows.put(key(phoneNumberId, phone), window);
        seen.add(phone);
        return window;
    }

    /** The open window at {@code now}, if any. */
    public Optional<Window> openWindow(String phoneNumberId, String phone, Instant now) {
        return Optional.ofNullable(windows.get(key(phoneNumberId, phone))).filter(w -> now.isBefore(w.openUntil()));
    }

    /** Every window this customer ever opened, by phone-number id (closed ones included). */
    public Map<String, Window> windowsOf(String phone) {
        Map<String, Window> result = new TreeMap<>();
        windows.forEach((key, window) -> {
            int slash = key.indexOf('/');
            if (key.substring(slash + 1).equals(phone)) {
                result.put(key.substring(0, slash), window);
            }
        });
        return result;
    }

    public void clear() {
        customers.clear();
        windows.clear();
        seen.clear();
    }

    private static String key(String phoneNumberId, String phone) {
        return phoneNumberId + "/" + phone;
    }
}
