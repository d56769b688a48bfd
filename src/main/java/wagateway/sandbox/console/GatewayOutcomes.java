package wagateway.sandbox.console;

import java.util.List;
import java.util.stream.StreamSupport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads, never writes, the gateway's own record of outbound messages, so the console can show what the
 * sandbox never saw: messages a policy refused ({@code rejected}, {@code expired}), and messages the
 * dispatcher is still retrying. When the sandbox runs as its own process there is no database, and this
 * reports nothing.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class GatewayOutcomes {

    /** The gateway's view of one outbound message. */
    public record Outcome(String id, String status, String reason, int attempts, String wamid, Integer errorCode,
            String errorTitle, String type, JsonNode content, String createdAt) {
    }

    private final Instance<Pool> pool;
    private final boolean databaseActive;
    private final ObjectMapper mapper;

    GatewayOutcomes(Instance<Pool> pool,
            @ConfigProperty(name = "quarkus.datasource.active", defaultValue = "true") boolean databaseActive,
            ObjectMapper mapper) {
        this.pool = pool;
        this.databaseActive = databaseActive;
        this.mapper = mapper;
    }

    /** The latest 200 messages to this recipient (E.164 with '+'), newest first. */
    public Uni<List<Outcome>> forRecipient(String phone) {
        if (!databaseActive) {
            return Uni.createFrom().item(List.of());
        }
        return pool.get().preparedQuery("""
                select id, status, reason, attempts, wamid, error_code, error_title, type, content::text as content, created_at
                from outbound_message where recipient = $1 order by id desc limit 200""")
                .execute(Tuple.of(phone))
                .map(rows -> StreamSupport.stream(rows.spliterator(), false).map(this::outcome).toList());
    }

    /**
     * A cheap summary that changes whenever a message is created, tried again or refused: the console's
     * event stream polls it, since the gateway's pipeline has no in-process feed the sandbox could follow.
     */
    public Uni<String> fingerprint() {
        if (!databaseActive) {
            return Uni.createFrom().item("");
        }
        return pool.get().query("""
                select count(*) as n, coalesce(sum(attempts), 0) as tries,
                       count(*) filter (where status in ('rejected', 'expired', 'failed', 'cancelled')) as refused,
                       count(*) filter (where status in ('scheduled', 'queued', 'sending')) as pending
                from outbound_message""").execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return r.getLong("n") + "/" + r.getLong("tries") + "/" + r.getLong("refused") + "/" + r.getLong("pending");
                });
    }

    private Outcome outcome(Row r) {
        JsonNode content;
        try {
            content = mapper.readTree(r.getString("content"));
        } catch (JsonProcessingException e) {
            content = null;
        }
        return new Outcome(r.getUUID("id").toString(), r.getString("status"), r.getString("reason"),
                r.getInteger("attempts"), r.getString("wamid"), r.getInteger("error_code"), r.getString("error_title"),
                r.getString("type"), content, r.getOffsetDateTime("created_at").toInstant().toString());
    }
}
