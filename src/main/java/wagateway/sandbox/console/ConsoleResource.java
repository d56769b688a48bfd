package wagateway.sandbox.console;

import java.time.Duration;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestStreamElementType;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import wagateway.sandbox.SandboxActivity;
import wagateway.web.ProblemException;

/**
 * The sandbox console ({@code /sandbox/console}): a browser page that shows the simulated customers'
 * phones and plays them, its threads as JSON, and a server-sent event stream that tells the page when to
 * refresh. Under {@code /sandbox}, so it exists only when the sandbox does.
 */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@Path("/sandbox/console")
@Tag(name = "Sandbox: console")
public class ConsoleResource {

    /** How often the event stream asks the gateway's API for changes it made (refusals, retries). */
    static final Duration GATEWAY_POLL = Duration.ofMillis(500);

    private final ConsoleAssets assets;
    private final ConsoleThreads threads;
    private final SandboxActivity activity;
    private final GatewayMessages gateway;

    ConsoleResource(ConsoleAssets assets, ConsoleThreads threads, SandboxActivity activity, GatewayMessages gateway) {
        this.assets = assets;
        this.threads = threads;
        this.activity = activity;
        this.gateway = gateway;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The console page")
    public Uni<Response> page() {
        return asset("index.html");
    }

    @GET
    @Path("/assets/{name}")
    @Operation(summary = "The console's script and style sheet")
    public Uni<Response> asset(@RestPath String name) {
        return Uni.createFrom().item(() -> assets.get(name)
                .map(a -> Response.ok(a.bytes()).type(a.mediaType()).header("Cache-Control", "no-cache").build())
                .orElseThrow(() -> ProblemException.notFound("No console asset " + name)));
    }

    @GET
    @Path("/thread")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One customer's conversation: business and customer messages, statuses, gateway notes")
    public Uni<ConsoleThread> thread(@RestQuery String phone) {
        return threads.thread(phone);
    }

    /**
     * One event per change: {@code hello} at once, then the sandbox's own changes as they happen, and
     * {@code gateway} when the gateway's newest messages changed (polled through its API: no feed carries attempts).
     * The page reloads what it shows on each; the events carry no message content.
     */
    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server-sent events: what changed in the sandbox or in the gateway's newest messages")
    public Multi<SandboxActivity.Change> events() {
        Multi<SandboxActivity.Change> gatewayChanges = !gateway.configured() ? Multi.createFrom().nothing()
                : Multi.createFrom().ticks().every(GATEWAY_POLL)
                        .onOverflow().drop()
                        .onItem().transformToUniAndConcatenate(tick -> gateway.fingerprint().onFailure().recoverWithItem("?"))
                        .skip().repetitions()
                        .skip().first()
                        .map(fingerprint -> new SandboxActivity.Change("gateway", null));
        return Multi.createBy().merging().streams(
                Multi.createFrom().item(new SandboxActivity.Change("hello", null)),
                // a burst (sent, delivered, read within milliseconds) must not outrun a slow client
                activity.changes().onOverflow().buffer(1024),
                gatewayChanges);
    }
}
