package wagateway.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.arc.profile.IfBuildProfile;
import wagateway.config.GatewayConfig;
import wagateway.support.BearerToken;

/**
 * {@code GET /{version}/{waba-id}/message_templates} as Meta answers it: {@code data} (one page, in name order) and
 * {@code paging} ({@code cursors.before/after}, and {@code next} only while more pages follow). Any sender's
 * token reads the account, as a system-user token of the business does.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class GraphTemplateService {

    static final int DEFAULT_LIMIT = 25;
    static final int MAX_LIMIT = 100;

    private final TemplateCatalog templates;
    private final GatewayConfig config;

    GraphTemplateService(TemplateCatalog templates, GatewayConfig config) {
        this.templates = templates;
        this.config = config;
    }

    GraphAnswer list(String wabaId, String authorization, String after, Integer limit, String selfUrl) {
        String token = BearerToken.from(authorization);
        if (token == null || config.senders().values().stream().noneMatch(s -> sameSecret(s.accessToken(), token))) {
            return GraphAnswer.error(GraphErrors.invalidToken());
        }
        if (!SandboxIds.WABA_ID.equals(wabaId)) {
            return GraphAnswer.error(GraphErrors.unknownObject(wabaId));
        }
        int size = limit == null || limit < 1 ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT);
        TemplateCatalog.Page page = templates.page(after, size);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode data = body.putArray("data");
        page.templates().forEach(t -> data.add(t.toGraph()));
        if (!page.templates().isEmpty()) {
            ObjectNode paging = body.putObject("paging");
            paging.putObject("cursors").put("before", page.before()).put("after", page.after());
            if (page.more()) {
                paging.put("next", selfUrl + "?limit=" + size + "&after=" + page.after());
            }
        }
        return new GraphAnswer(200, body);
    }

    private static boolean sameSecret(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
