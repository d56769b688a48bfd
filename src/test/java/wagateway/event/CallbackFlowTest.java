package wagateway.event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.support.Hmac;
import wagateway.testsupport.TestClockProducer;
import wagateway.webhook.TestDb;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Callbacks at production load, against real receivers (each its own HTTP server, so its own destination): a
 * stalled or failing destination holds only its own events, order per message and per contact holds while many
 * deliveries are in flight, and claims follow each other without waiting for the poll. Events are arranged in
 * the outbox directly; the background flow ({@link CallbackJob}'s poll, then continuous claims) delivers them.
 */
@QuarkusTest
class CallbackFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    CallbackDispatcher dispatcher;

    @AfterEach
    void resetClock() {
        TestClockProducer.CLOCK.reset();
    }

    @Test
    void aReceiverThatStallsMidBodyHoldsOnlyItsOwnEventsAndIsRetriedAfterTheTimeout() {
        try (TestReceiver stalled = TestReceiver.start(TestReceiver.Behaviour.STALL);
                TestReceiver healthy = TestReceiver.start(TestReceiver.Behaviour.OK)) {
            List<Long> stalledIds = Events.perMessage(stalled.url(), 20, 1);
            // the stalled receiver holds as many deliveries as its destination takes: headers sent, body never ends
            await().atMost(WAIT).until(() -> stalled.received().size() >= 16);

            List<Long> healthyIds = Events.perMessage(healthy.url(), 20, 1);
            await().atMost(Duration.ofSeconds(4)).until(() -> healthy.distinctEvents() == healthyIds.size());
            assertEquals(healthyIds.size(), Events.delivered(healthyIds));
            // ...while the stall lasted: not one stalled delivery has ended yet
            assertEquals(0, TestDb.count("select count(*) from event_outbox where id = any(?) and attempts > 0",
                    Events.array(stalledIds)));

            // the whole exchange is bounded: at gateway.callbacks.timeout the stalled deliveries fail
            await().atMost(WAIT).until(() -> TestDb.count(
                    "select count(*) from event_outbox where id = any(?) and attempts > 0", Events.array(stalledIds)) >= 16);
            Map<String, Object> failed = TestDb.row("select state, last_error from event_outbox where id = ?",
                    stalledIds.get(0));
            assertEquals("pending", failed.get("state"));
            assertTrue(((String) failed.get("last_error")).startsWith("TimeoutException: HTTP 200 answered, but its body"),
                    "timed out mid-body: " + failed.get("last_error"));

            // and retried once the event's back-off (and the destination's) passed
            stalled.release();
            TestClockProducer.CLOCK.advance(Duration.ofMinutes(1));
            await().atMost(WAIT).until(() -> Events.delivered(stalledIds) == stalledIds.size());
            assertTrue(stalled.received().stream().filter(r -> r.eventId() == stalledIds.get(0)).count() >= 2,
                    "the first stalled event was sent again");
        }
    }

    @Test
    void aFailingDestinationDoesNotDelayAHealthyOne() {
        try (TestReceiver failing = TestReceiver.start(TestReceiver.Behaviour.FAIL);
                TestReceiver healthy = TestReceiver.start(TestReceiver.Behaviour.OK)) {
            // a backlog of the failing destination, older than every event of the healthy one
            List<Long> failingIds = Events.perMessage(failing.url(), 200, 1);
            List<Long> healthyIds = Events.perMessage(healthy.url(), 20, 1);

            await().atMost(WAIT).until(() -> Events.delivered(healthyIds) == healthyIds.size());
            // the healthy events did not wait for the failing backlog to be tried first: the failing destination
            // took its share, failed, and was paused
            assertTrue(failing.received().size() < 100, "failing destination tried " + failing.received().size()
                    + " times before the healthy one was served");
            assertTrue(failing.received().size() >= CallbackDestinations.FAILURES_BEFORE_PAUSE);
            assertEquals(0, Events.delivered(failingIds));
            await().atMost(WAIT).until(() -> TestDb.count("select count(*) from event_outbox where id = any(?) "
                    + "and state = 'pending' and last_error = 'HTTP 500'", Events.array(failingIds)) > 0);
        }
    }

    @Test
    void keepsOrderPerMessageAndPerContactWhileManyDeliveriesAreInFlight() {
        try (TestReceiver receiver = TestReceiver.start(TestReceiver.Behaviour.RANDOM_DELAY)) {
            // ids interleave: every message's first event, then every second one, ...
            List<Long> ids = new ArrayList<>(Events.perMessage(receiver.url(), 60, 4));
            ids.addAll(Events.perContact(receiver.url(), 10, 4));

            await().atMost(WAIT).until(() -> Events.delivered(ids) == ids.size());
            Map<String, List<Long>> perMessage = new LinkedHashMap<>();
            Map<String, List<Long>> perContact = new LinkedHashMap<>();
            for (TestReceiver.Received r : receiver.received()) {
                if (r.messageId() != null) {
                    perMessage.computeIfAbsent(r.messageId(), k -> new ArrayList<>()).add(r.eventId());
                } else {
                    perContact.computeIfAbsent(r.from(), k -> new ArrayList<>()).add(r.eventId());
                }
                assertEquals(Hmac.sign("test-callback-secret", r.body()), r.signature());
            }
            assertEquals(60, perMessage.size());
            assertEquals(10, perContact.size());
            perMessage.values().forEach(arrived -> assertEquals(arrived.stream().sorted().toList(), arrived));
            perContact.values().forEach(arrived -> assertEquals(arrived.stream().sorted().toList(), arrived));
            assertEquals(ids.size(), receiver.received().size(), "each event once");
            assertTrue(receiver.peakConcurrent() > 1, "deliveries overlapped: " + receiver.peakConcurrent());
        }
    }

    @Test
    void claimsFollowEachOtherWithoutWaitingForThePollOverKeptAliveConnections() {
        try (TestReceiver receiver = TestReceiver.start(TestReceiver.Behaviour.OK)) {
            CallbackDispatcher.Stats before = dispatcher.stats();
            List<Long> ids = Events.perMessage(receiver.url(), 3000, 1);

            await().atMost(Duration.ofSeconds(120)).until(() -> receiver.distinctEvents() == ids.size());
            await().atMost(WAIT).until(() -> Events.delivered(ids) == ids.size());
            CallbackDispatcher.Stats after = dispatcher.stats();
            long claims = after.claims() - before.claims();
            long polls = after.polls() - before.polls();
            // one destination holds 32 claimed events at once (16 in flight, 16 waiting): at least 3000 / 32 claims,
            // nearly all of them between two polls
            assertTrue(claims >= ids.size() / 32, claims + " claims");
            assertTrue(claims > 2 * (polls + 1), claims + " claims in " + polls + " poll intervals");
            // keep-alive: a pool of connections to the destination, not one per event
            assertTrue(receiver.connections() <= 16, receiver.connections() + " connections");
        }
    }

    @Test
    void anAnswerWhoseBodyNeverEndsIsReadOnlyUpToTheCap() {
        try (TestReceiver receiver = TestReceiver.start(TestReceiver.Behaviour.ENDLESS_BODY)) {
            List<Long> ids = Events.perMessage(receiver.url(), 3, 1);
            // acknowledged by its status once 8 KiB were read, well before gateway.callbacks.timeout
            await().atMost(Duration.ofSeconds(4)).until(() -> Events.delivered(ids) == ids.size());
            assertEquals(1, TestDb.count("select min(attempts) from event_outbox where id = any(?)", Events.array(ids)));
        }
    }

    @Test
    void deliverAllDueNowDeliversWhatIsDueAndCountsWhatIsLeft() {
        try (TestReceiver receiver = TestReceiver.start(TestReceiver.Behaviour.OK)) {
            List<Long> ids = Events.perMessage(receiver.url(), 5, 3);
            CallbackDispatcher.DrainResult result = dispatcher.deliverAllDueNow().await().atMost(WAIT);
            // three events per message, one after the other: three rounds at least, each waiting for the last
            assertEquals(ids.size(), Events.delivered(ids));
            // the background flow stands aside during a drain: the later rounds were the drain's own
            assertTrue(result.attempted() >= 10, result.attempted() + " attempted");
            assertEquals(TestDb.count("select count(*) from event_outbox where state = 'pending'"), result.pending(),
                    "what is left is counted");
        }
    }

    /** Events arranged in the outbox as EventOutbox would append them. */
    static final class Events {

        static List<Long> perMessage(String url, int messages, int eachOf) {
            return ids(TestDb.rows("""
                    insert into event_outbox (type, message_id, contact_phone, url, payload, state, next_attempt_at, created_at)
                    select 'message.status', m.id, m.phone, ?, jsonb_build_object('messageId', m.id::text, 'status', 's' || k),
                           'pending', now(), now()
                    from (select gen_random_uuid() as id, '+1555' || (1000000 + n) as phone, n
                          from generate_series(1, ?) n) m, generate_series(1, ?) k
                    order by k, m.n
                    returning id""", url, messages, eachOf));
        }

        static List<Long> perContact(String url, int contacts, int eachOf) {
            long base = ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_000_000_000L);
            return ids(TestDb.rows("""
                    insert into event_outbox (type, message_id, contact_phone, url, payload, state, next_attempt_at, created_at)
                    select 'message.received', null, c.phone, ?, jsonb_build_object('from', c.phone, 'seq', k),
                           'pending', now(), now()
                    from (select '+1' || (? + n) as phone, n from generate_series(1, ?) n) c, generate_series(1, ?) k
                    order by k, c.n
                    returning id""", url, base, contacts, eachOf));
        }

        static long delivered(List<Long> ids) {
            return TestDb.count("select count(*) from event_outbox where id = any(?) and state = 'delivered'", array(ids));
        }

        /** One bigint[] parameter (an Object, so that varargs do not spread it). */
        static Object array(List<Long> ids) {
            return ids.toArray(Long[]::new);
        }

        private static List<Long> ids(List<Map<String, Object>> rows) {
            return rows.stream().map(r -> (Long) r.get("id")).toList();
        }
    }
}
