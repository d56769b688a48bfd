package wagateway.event;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.netty.util.NetUtil;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import wagateway.config.GatewayConfig;

/**
 * Where a callback may go. A callback URL chosen by an API caller must not reach the gateway's own network:
 * loopback, private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), link-local (169.254/16 with the cloud
 * metadata service, fe80::/10) and unspecified (0.0.0.0/8, ::) addresses are refused, unless the URL's host is
 * listed in {@code gateway.callbacks.allowed-hosts} or is the host of the operator's own
 * {@code gateway.callbacks.url}. {@code gateway.callbacks.allow-loopback} (dev and test) lets loopback through.
 *
 * <p>
 * Checked twice: at accept ({@link #refusal}, so the caller hears of it with a 422), and at every delivery
 * ({@link #check}), whose verdict names the very address the connection goes to, so a name that resolves
 * elsewhere by then (DNS rebinding) is caught too. A name must resolve to allowed addresses only. IP literals
 * and allowed hosts need no lookup; names are resolved on a worker thread (never on the event loop) and the
 * answer is kept for {@value #CACHE_MILLIS} ms, so a busy destination is not looked up per callback. A name
 * that does not resolve at accept, or not within {@link #ACCEPT_LOOKUP_WAIT}, is accepted: delivery looks again
 * (and fails the attempt if it still does not resolve, or resolves to a refused address).
 */
@Singleton
public class CallbackAddresses {

    /** The reason of a refused delivery: it says nothing about the host behind the address. */
    static final String NOT_ALLOWED = "callback address not allowed";
    static final long CACHE_MILLIS = 5_000;
    private static final int CACHE_MAX = 10_000;
    /** The longest an accept waits for a name lookup. */
    static final Duration ACCEPT_LOOKUP_WAIT = Duration.ofSeconds(2);

    /** A blocking name lookup (the JDK's, or a test's). */
    @FunctionalInterface
    interface Lookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    /**
     * What a delivery may do: go to {@code address} (null: an allowed host, resolved by the HTTP client as
     * usual), or nothing ({@code refused}: the kind of address, e.g. {@code loopback}).
     */
    record Verdict(InetAddress address, String refused) {
        static final Verdict TRUSTED = new Verdict(null, null);

        boolean allowed() {
            return refused == null;
        }
    }

    /** A delivery refused because of where it would go. Its message is the dead event's reason. */
    static final class NotAllowed extends RuntimeException {
        NotAllowed() {
            super(NOT_ALLOWED + " (loopback, private, link-local or unspecified; see gateway.callbacks.allowed-hosts)",
                    null, false, false);
        }
    }

    private record Cached(InetAddress[] addresses, long until) {
    }

    private final Vertx vertx;
    private final boolean allowLoopback;
    /** Allowed hosts, lower case: {@code host} (any port) and {@code host:port}. */
    private final Set<String> allowed;
    private final Lookup lookup;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    @Inject
    CallbackAddresses(Vertx vertx, GatewayConfig config) {
        this(vertx, config.callbacks().allowLoopback(), allowedHosts(config.callbacks()), InetAddress::getAllByName);
    }

    CallbackAddresses(Vertx vertx, boolean allowLoopback, Set<String> allowed, Lookup lookup) {
        this.vertx = vertx;
        this.allowLoopback = allowLoopback;
        this.allowed = allowed;
        this.lookup = lookup;
    }

    /** {@code allowed-hosts} and the global URL's host and port, normalised. */
    static Set<String> allowedHosts(GatewayConfig.Callbacks config) {
        Set<String> hosts = new HashSet<>();
        config.allowedHosts().orElse(List.of()).stream().map(String::trim).filter(h -> !h.isEmpty())
                .map(CallbackAddresses::normaliseEntry).forEach(hosts::add);
        config.url().ifPresent(url -> {
            try {
                URI uri = URI.create(url.trim());
                if (uri.getHost() != null) {
                    hosts.add(host(uri) + ":" + port(uri));
                }
            } catch (IllegalArgumentException e) { // not a URL: its deliveries fail on their own
            }
        });
        return Set.copyOf(hosts);
    }

    /**
     * The accept-time check of a message's callback URL (an absolute http(s) URL already).
     *
     * @return why it is refused, empty when it may be used
     */
    public Uni<Optional<String>> refusal(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(Optional.empty()); // the validator's to answer
        }
        String host = host(uri);
        return Uni.createFrom().completionStage(() -> check(uri).toCompletionStage())
                .map(verdict -> verdict.allowed() ? Optional.<String> empty()
                        : Optional.of("the host " + host + (NetUtil.isValidIpV4Address(host)
                                || NetUtil.isValidIpV6Address(host) ? " is not a public address ("
                                        : " resolves to an address that is not public (")
                                + verdict.refused() + "); callbacks go to public addresses only, unless the host is "
                                + "listed in gateway.callbacks.allowed-hosts"))
                // the answer at accept is a courtesy, delivery is where the rule holds: a name that does not
                // resolve, or not quickly, is accepted and looked up again when its callback goes
                .ifNoItem().after(ACCEPT_LOOKUP_WAIT).recoverWithItem(Optional.empty())
                .onFailure(UnknownHostException.class).recoverWithItem(Optional.empty());
    }

    /** The delivery-time check: where to connect. Fails with {@link UnknownHostException} for a name that does not resolve. */
    Future<Verdict> check(URI uri) {
        String host = host(uri);
        if (uri.getHost() == null) {
            return Future.failedFuture(new UnknownHostException("no host"));
        }
        if (allowed.contains(host) || allowed.contains(host + ":" + port(uri))) {
            return Future.succeededFuture(Verdict.TRUSTED);
        }
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
        if (literal != null) {
            return Future.succeededFuture(verdict(new InetAddress[] { literal }));
        }
        Cached cached = cache.get(host);
        if (cached != null && System.nanoTime() - cached.until() < 0) {
            return Future.succeededFuture(verdict(cached.addresses()));
        }
        return vertx.<InetAddress[]> executeBlocking(() -> lookup.all(host), false).map(addresses -> {
            if (cache.size() >= CACHE_MAX) {
                cache.clear();
            }
            cache.put(host, new Cached(addresses, System.nanoTime() + CACHE_MILLIS * 1_000_000));
            return verdict(addresses);
        });
    }

    /** Every address of the host must be allowed; the first is the one connected to. */
    private Verdict verdict(InetAddress[] addresses) {
        if (addresses.length == 0) {
            return new Verdict(null, "unresolvable");
        }
        for (InetAddress address : addresses) {
            String kind = forbidden(address, allowLoopback);
            if (kind != null) {
                return new Verdict(null, kind);
            }
        }
        return new Verdict(addresses[0], null);
    }

    /** @return the kind of a refused address ({@code loopback}, {@code private}…), null for an allowed one */
    static String forbidden(InetAddress address, boolean allowLoopback) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            if (embedsIpv4(b)) { // ::a.b.c.d, ::ffff:a.b.c.d, 64:ff9b::a.b.c.d (NAT64) reach that IPv4 address
                try {
                    return forbidden(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)), allowLoopback);
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
            if ((b[0] & 0xfe) == 0xfc) {
                return "private"; // unique local fc00::/7 (AWS's IPv6 metadata service is fd00:ec2::254)
            }
        }
        if (address.isAnyLocalAddress() || address instanceof Inet4Address && b[0] == 0) {
            return "unspecified";
        }
        if (address.isLoopbackAddress()) {
            return allowLoopback ? null : "loopback";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local";
        }
        if (address.isSiteLocalAddress() || address instanceof Inet4Address && (b[0] & 0xff) == 100
                && (b[1] & 0xc0) == 64) {
            return "private"; // 10/8, 172.16/12, 192.168/16, and the carrier-grade NAT range 100.64/10
        }
        if (address.isMulticastAddress() || address instanceof Inet4Address && Arrays.equals(b,
                new byte[] { (byte) 255, (byte) 255, (byte) 255, (byte) 255 })) {
            return "broadcast or multicast";
        }
        return null;
    }

    private static boolean embedsIpv4(byte[] b) {
        boolean zeros = true;
        for (int i = 0; i < 10; i++) {
            zeros &= b[i] == 0;
        }
        boolean compatible = zeros && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
        boolean mapped = zeros && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = b[i] == 0;
        }
        return compatible || mapped || nat64;
    }

    /** The URI's host, lower case, without IPv6 brackets or a trailing dot. */
    static String host(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return "";
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** An {@code allowed-hosts} entry: {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}. */
    static String normaliseEntry(String entry) {
        String e = entry.toLowerCase(Locale.ROOT);
        if (e.startsWith("[")) {
            int close = e.indexOf(']');
            return close < 0 ? e : e.substring(1, close) + e.substring(close + 1);
        }
        int colon = e.lastIndexOf(':');
        String host = colon >= 0 && e.indexOf(':') == colon ? e.substring(0, colon) : e;
        String port = colon >= 0 && e.indexOf(':') == colon ? e.substring(colon) : "";
        return (host.endsWith(".") ? host.substring(0, host.length() - 1) : host) + port;
    }
}
