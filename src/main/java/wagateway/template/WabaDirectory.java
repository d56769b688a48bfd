package wagateway.template;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import wagateway.config.GatewayConfig;

/** The configured WhatsApp Business Accounts ({@code gateway.wabas.<name>}) and which senders belong to which. */
@ApplicationScoped
public class WabaDirectory {

    /** One account: its configured name, Meta's id, and the token that reads its templates. */
    public record Account(String name, String id, String accessToken) {
    }

    private final Map<String, Account> bySender = new HashMap<>();
    private final Map<String, Account> byId = new HashMap<>();
    private final Map<String, Account> byName = new HashMap<>();

    WabaDirectory(GatewayConfig config) {
        config.wabas().forEach((name, waba) -> {
            String token = waba.accessToken().orElseGet(() -> waba.senders().stream()
                    .map(config.senders()::get).filter(s -> s != null).map(GatewayConfig.Sender::accessToken)
                    .findFirst().orElse(""));
            Account account = new Account(name, waba.id(), token);
            byId.put(waba.id(), account);
            byName.put(name, account);
            waba.senders().forEach(sender -> bySender.put(sender, account));
        });
    }

    public Account ofSender(String sender) {
        return sender == null ? null : bySender.get(sender);
    }

    public Account byId(String wabaId) {
        return byId.get(wabaId);
    }

    /** By configured name or by Meta's id, as {@code ?waba=} takes either. */
    public Account find(String nameOrId) {
        Account account = byName.get(nameOrId);
        return account != null ? account : byId.get(nameOrId);
    }

    public List<Account> all() {
        return byName.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }
}
