package wagateway.sandbox.console;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.mutiny.Uni;
import wagateway.sandbox.CustomerMessage;
import wagateway.sandbox.CustomerView;
import wagateway.sandbox.MessageLedger;
import wagateway.sandbox.SandboxCustomerService;
import wagateway.sandbox.SandboxMessage;
import wagateway.support.PhoneNumbers;
import wagateway.web.ProblemException;

/**
 * Builds a customer's conversation for the console: what the sandbox accepted from the business and what the
 * customer wrote (in the order the sandbox saw them), with what the gateway's API says merged in — how many
 * attempts a message took, and notes for messages the sandbox never received (refused by a policy, or
 * still being retried).
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class ConsoleThreads {

    private static final Map<Integer, String> ERROR_TITLES = Map.of(
            131047, "Re-engagement message",
            131026, "Message undeliverable",
            131050, "Recipient stopped marketing messages",
            131000, "Something went wrong",
            131016, "Service unavailable");

    private final MessageLedger ledger;
    private final SandboxCustomerService customers;
    private final GatewayMessages gateway;
    private final Clock clock;

    ConsoleThreads(MessageLedger ledger, SandboxCustomerService customers, GatewayMessages gateway, Clock clock) {
        this.clock = clock;
        this.ledger = ledger;
        this.customers = customers;
        this.gateway = gateway;
    }

    public Uni<ConsoleThread> thread(String phone) {
        if (phone == null || !PhoneNumbers.isE164(phone)) {
            return Uni.createFrom()
                    .failure(ProblemException.badRequest("validation", "phone must be E.164, such as +5511987654321"));
        }
        return gateway.forRecipient(phone).map(outcomes -> build(phone, outcomes));
    }

    private ConsoleThread build(String phone, List<GatewayMessages.Outcome> outcomes) {
        Map<String, GatewayMessages.Outcome> byWamid = new HashMap<>();
        List<ConsoleItem> items = new ArrayList<>();
        for (GatewayMessages.Outcome o : outcomes) {
            if (o.wamid() != null) {
                byWamid.put(o.wamid(), o);
            }
        }
        List<SandboxMessage> sent = ledger.list(PhoneNumbers.toWaId(phone));
        for (SandboxMessage m : sent) {
            GatewayMessages.Outcome o = byWamid.get(m.wamid());
            Integer code = m.errorCode();
            String title = o != null && o.errorTitle() != null ? o.errorTitle() : code == null ? null : ERROR_TITLES.get(code);
            JsonNode context = m.request().path("context").path("message_id");
            items.add(new ConsoleItem("business", m.wamid(), m.seq(), m.acceptedAt().toString(), m.type(), m.request(),
                    context.isTextual() ? context.asText() : null, m.status(), code, title,
                    o != null ? o.attempts() : null, null, null));
        }
        for (CustomerMessage m : ledger.inboundFrom(phone)) {
            items.add(new ConsoleItem("customer", m.wamid(), m.seq(), m.at().toString(), m.type(), m.content(),
                    m.context(), m.readByBusiness() ? "read" : "received", null, null, null, null,
                    m.typingAt(clock.instant()) ? Boolean.TRUE : null));
        }
        for (GatewayMessages.Outcome o : outcomes) {
            boolean reachedSandbox = o.wamid() != null && sent.stream().anyMatch(m -> m.wamid().equals(o.wamid()));
            if (!reachedSandbox && o.wamid() == null) {
                items.add(new ConsoleItem("note", o.id(), Long.MAX_VALUE, o.createdAt(), o.type(), null, null,
                        o.status(), o.errorCode(), o.errorTitle(), o.attempts(), o.reason(), null));
            }
        }
        // Instants as text do not sort (fraction digits vary): parse them.
        items.sort(Comparator.comparing((ConsoleItem i) -> Instant.parse(i.at())).thenComparingLong(ConsoleItem::seq));
        return new ConsoleThread(customer(phone), items);
    }

    private CustomerView customer(String phone) {
        try {
            return customers.find(phone);
        } catch (ProblemException notConfigured) {
            return new CustomerView(phone, "Sandbox Customer", true, false, true, null, Map.of(), Map.of(), null, null);
        }
    }
}
