package wagateway.event;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;

import static org.assertj.core.api.Assertions.assertThat;

/** Which addresses a callback may go to, and how hosts are looked up (without the network: a fake lookup). */
class CallbackAddressesTest {

    private static final Vertx VERTX = Vertx.vertx();

    @AfterAll
    static void close() {
        VERTX.close();
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void refusesLoopbackPrivateLinkLocalAndUnspecifiedAddresses() {
        Map<String, String> kinds = Map.ofEntries(Map.entry("127.0.0.1", "loopback"), Map.entry("127.1.2.3", "loopback"),
                Map.entry("::1", "loopback"), Map.entry("::ffff:127.0.0.1", "loopback"), Map.entry("10.1.2.3", "private"),
                Map.entry("172.16.0.1", "private"), Map.entry("192.168.1.1", "private"), Map.entry("100.64.0.1", "private"),
                Map.entry("fd00:ec2::254", "private"), Map.entry("169.254.169.254", "link-local"),
                Map.entry("fe80::1", "link-local"), Map.entry("0.0.0.0", "unspecified"), Map.entry("::", "unspecified"),
                Map.entry("64:ff9b::a9fe:a9fe", "link-local"), Map.entry("::127.0.0.1", "loopback"));
        kinds.forEach((address, kind) -> assertThat(CallbackAddresses.forbidden(ip(address), false)).as(address)
                .isEqualTo(kind));
        for (String publicAddress : new String[] { "93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1" }) {
            assertThat(CallbackAddresses.forbidden(ip(publicAddress), false)).as(publicAddress).isNull();
        }
    }

    @Test
    void allowLoopbackLetsOnlyLoopbackThrough() {
        assertThat(CallbackAddresses.forbidden(ip("127.0.0.1"), true)).isNull();
        assertThat(CallbackAddresses.forbidden(ip("::1"), true)).isNull();
        assertThat(CallbackAddresses.forbidden(ip("10.0.0.1"), true)).isEqualTo("private");
        assertThat(CallbackAddresses.forbidden(ip("169.254.169.254"), true)).isEqualTo("link-local");
        assertThat(CallbackAddresses.forbidden(ip("0.0.0.0"), true)).isEqualTo("unspecified");
    }

    @Test
    void allowedHostEntriesAreNormalised() {
        assertThat(CallbackAddresses.normaliseEntry("CRM.internal")).isEqualTo("crm.internal");
        assertThat(CallbackAddresses.normaliseEntry("crm.internal.:8443")).isEqualTo("crm.internal:8443");
        assertThat(CallbackAddresses.normaliseEntry("[::1]:8080")).isEqualTo("::1:8080");
        assertThat(CallbackAddresses.normaliseEntry("[FD00::1]")).isEqualTo("fd00::1");
    }

    @Test
    void aNameMustResolveToAllowedAddressesOnlyAndAnAllowedHostIsNotLookedUp() throws Exception {
        Map<String, InetAddress[]> dns = Map.of(
                "public.example", new InetAddress[] { ip("93.184.216.34") },
                "mixed.example", new InetAddress[] { ip("93.184.216.34"), ip("10.0.0.7") },
                "metadata.example", new InetAddress[] { ip("169.254.169.254") });
        CallbackAddresses addresses = new CallbackAddresses(VERTX, false, Set.of("crm.internal", "10.9.8.7:8080"),
                host -> {
                    InetAddress[] found = dns.get(host);
                    if (found == null) {
                        throw new UnknownHostException(host);
                    }
                    return found;
                });
        assertThat(verdict(addresses, "http://public.example/x").address()).isEqualTo(ip("93.184.216.34"));
        assertThat(verdict(addresses, "http://mixed.example/x").refused()).isEqualTo("private");
        assertThat(verdict(addresses, "http://metadata.example/latest").refused()).isEqualTo("link-local");
        assertThat(verdict(addresses, "http://crm.internal:9000/x")).isEqualTo(CallbackAddresses.Verdict.TRUSTED);
        assertThat(verdict(addresses, "http://10.9.8.7:8080/x")).isEqualTo(CallbackAddresses.Verdict.TRUSTED);
        assertThat(verdict(addresses, "http://10.9.8.7:8081/x").refused()).isEqualTo("private");
        assertThat(verdict(addresses, "http://[::1]:8080/x").refused()).isEqualTo("loopback");

        assertThat(addresses.refusal("http://metadata.example/latest").await().indefinitely()).get().asString()
                .contains("metadata.example", "link-local", "gateway.callbacks.allowed-hosts");
        assertThat(addresses.refusal("http://public.example/x").await().indefinitely()).isEmpty();
        // a name that does not resolve now is accepted: delivery looks again
        assertThat(addresses.refusal("http://nowhere.example/x").await().indefinitely()).isEmpty();
    }

    @Test
    void aSlowLookupDoesNotHoldTheAcceptButDeliveryStillChecks() throws Exception {
        CallbackAddresses addresses = new CallbackAddresses(VERTX, false, Set.of(), host -> {
            try {
                Thread.sleep(CallbackAddresses.ACCEPT_LOOKUP_WAIT.toMillis() + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[] { ip("10.0.0.1") };
        });
        long started = System.nanoTime();
        assertThat(addresses.refusal("http://slow.example/x").await().indefinitely()).isEmpty();
        assertThat(System.nanoTime() - started).isLessThan(CallbackAddresses.ACCEPT_LOOKUP_WAIT.toNanos() + 900_000_000L);
        assertThat(verdict(addresses, "http://slow.example/x").refused()).isEqualTo("private");
    }

    private static CallbackAddresses.Verdict verdict(CallbackAddresses addresses, String url) throws Exception {
        return addresses.check(URI.create(url)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
