package wagateway.event;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.resteasy.reactive.RestPath;

/**
 * A business's callback receiver, for tests only: records what it receives per sink name and answers 500 to
 * the first N requests of a sink ({@link #failFirst}), 200 afterwards.
 */
@Path("/test/callback-sink/{name}")
public class CallbackSink {

    /** One request as received, and what the sink answered. */
    public record Received(Map<String, String> headers, byte[] body, int answeredWith) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final Map<String, List<Received>> RECEIVED = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> FAILURES_LEFT = new ConcurrentHashMap<>();

    public static void failFirst(String name, int requests) {
        FAILURES_LEFT.put(name, new AtomicInteger(requests));
    }

    public static List<Received> received(String name) {
        return RECEIVED.getOrDefault(name, List.of());
    }

    public static String url(String name) {
        return "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class)
                + "/test/callback-sink/" + name;
    }

    @POST
    public Response receive(@RestPath String name, byte[] body, HttpHeaders headers) {
        AtomicInteger left = FAILURES_LEFT.get(name);
        int status = left != null && left.getAndDecrement() > 0 ? 500 : 200;
        Map<String, String> flat = new ConcurrentHashMap<>();
        headers.getRequestHeaders().forEach((key, values) -> flat.put(key.toLowerCase(), String.join(",", values)));
        RECEIVED.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(new Received(flat, body, status));
        return Response.status(status).build();
    }
}
