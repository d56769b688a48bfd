package wagateway.template;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * {@code /v1/templates}: the synced template catalogue of the configured accounts, read from the database (the
 * same on every replica), and a sync on request.
 */
@Path("/v1/templates")
@Tag(name = "Templates")
@Produces(MediaType.APPLICATION_JSON)
public class TemplateResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private final WabaDirectory wabas;
    private final TemplateSync sync;
    private final ObjectMapper mapper;

    TemplateResource(WabaDirectory wabas, TemplateSync sync, ObjectMapper mapper) {
        this.wabas = wabas;
        this.sync = sync;
        this.mapper = mapper;
    }

    @RegisterForReflection
    public record Page(List<TemplateView> items, String nextCursor) {
    }

    @RegisterForReflection
    public record Detail(String waba, String wabaId, String name, List<TemplateView> languages) {
    }

    @RegisterForReflection
    public record SyncResult(Map<String, Integer> templates) {
    }

    @GET
    @Operation(summary = "List catalogue templates by account, name and language", description = "Filters: waba (a "
            + "configured account name or Meta's id), status (APPROVED, PAUSED…), name. Cursor pagination: pass "
            + "nextCursor as after.")
    public Uni<Page> list(@RestQuery String waba, @RestQuery String status, @RestQuery String name,
            @RestQuery String after, @RestQuery Integer limit) {
        List<Problem.FieldError> errors = new ArrayList<>();
        WabaDirectory.Account account = waba == null ? null : account(waba, errors);
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            errors.add(new Problem.FieldError("limit", "must be between 1 and " + MAX_LIMIT));
        }
        String[] cursor = after == null ? null : cursor(after, errors);
        if (!errors.isEmpty()) {
            throw new ProblemException(new Problem("validation", "Bad Request", 400, "Invalid query parameters", errors));
        }
        StringBuilder query = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (account != null) {
            query.append(" and wabaId = :waba");
            params.and("waba", account.id());
        }
        if (status != null) {
            query.append(" and status = :status");
            params.and("status", status.toUpperCase(Locale.ROOT));
        }
        if (name != null) {
            query.append(" and name = :name");
            params.and("name", name);
        }
        if (cursor != null) {
            query.append(" and (wabaId > :cw or (wabaId = :cw and name > :cn)"
                    + " or (wabaId = :cw and name = :cn and language > :cl))");
            params.and("cw", cursor[0]).and("cn", cursor[1]).and("cl", cursor[2]);
        }
        return Panache.withSession(() -> CatalogTemplate.<CatalogTemplate> find(query.toString(),
                Sort.by("wabaId").and("name").and("language"), params).range(0, size - 1).list())
                .map(rows -> {
                    List<TemplateView> items = rows.stream().map(this::view).toList();
                    String next = rows.size() < size ? null : encode(rows.get(rows.size() - 1));
                    return new Page(items, next);
                });
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "One template, per language: status, category, quality and the parameters a message must give", description = "waba may be left out when one account is configured; language narrows to one language.")
    public Uni<Detail> get(@RestPath String name, @RestQuery String waba, @RestQuery String language) {
        List<Problem.FieldError> errors = new ArrayList<>();
        WabaDirectory.Account account;
        if (waba != null) {
            account = account(waba, errors);
        } else if (wabas.all().size() == 1) {
            account = wabas.all().get(0);
        } else {
            account = null;
            errors.add(new Problem.FieldError("waba", wabas.all().isEmpty() ? "no account is configured (gateway.wabas)"
                    : "is required: more than one account is configured"));
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(new Problem("validation", "Bad Request", 400, "Invalid query parameters", errors));
        }
        String query = "wabaId = :waba and name = :name" + (language != null ? " and language = :language" : "");
        Parameters params = Parameters.with("waba", account.id()).and("name", name);
        if (language != null) {
            params.and("language", language);
        }
        return Panache.withSession(() -> CatalogTemplate.<CatalogTemplate> list(query, Sort.by("language"), params))
                .map(rows -> {
                    if (rows.isEmpty()) {
                        throw ProblemException.notFound("No template '" + name + "'"
                                + (language != null ? " in " + language : "") + " in account " + account.name()
                                + "'s catalogue");
                    }
                    return new Detail(account.name(), account.id(), name, rows.stream().map(this::view).toList());
                });
    }

    @POST
    @Path("/sync")
    @Operation(summary = "Read the account's templates (all accounts without waba) from the Graph API now", description = "Answers with the number of templates read per account; 502 when the Graph API failed.")
    public Uni<SyncResult> syncNow(@RestQuery String waba) {
        List<Problem.FieldError> errors = new ArrayList<>();
        List<WabaDirectory.Account> accounts = waba == null ? wabas.all() : List.of(account(waba, errors));
        if (!errors.isEmpty()) {
            throw new ProblemException(new Problem("validation", "Bad Request", 400, "Invalid query parameters", errors));
        }
        return sync.syncNow(accounts).map(SyncResult::new)
                .onFailure().transform(e -> new ProblemException(Problem.of("graph-unavailable", "Bad Gateway", 502,
                        "The Graph API did not give the whole catalogue (" + e.getMessage()
                                + "); the previous catalogue stays in use")));
    }

    private WabaDirectory.Account account(String waba, List<Problem.FieldError> errors) {
        WabaDirectory.Account account = wabas.find(waba);
        if (account == null) {
            errors.add(new Problem.FieldError("waba", "no account '" + waba + "' is configured (gateway.wabas)"));
        }
        return account;
    }

    private TemplateView view(CatalogTemplate row) {
        JsonNode components;
        try {
            components = mapper.readTree(row.components);
        } catch (Exception e) {
            components = mapper.createArrayNode();
        }
        WabaDirectory.Account account = wabas.byId(row.wabaId);
        return new TemplateView(account == null ? null : account.name(), row.wabaId, row.name, row.language, row.metaId,
                row.status, row.category, row.quality, row.parameterFormat,
                TemplateView.parameters(TemplateShape.of(components)), components, row.updatedAt);
    }

    private static String encode(CatalogTemplate row) {
        String key = row.wabaId + "\n" + row.name + "\n" + row.language;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] cursor(String after, List<Problem.FieldError> errors) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(after), StandardCharsets.UTF_8).split("\n", -1);
            if (parts.length == 3) {
                return parts;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        errors.add(new Problem.FieldError("after", "not a cursor from a previous page"));
        return null;
    }
}
