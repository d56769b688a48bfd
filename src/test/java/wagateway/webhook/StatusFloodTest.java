package wagateway.webhook;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static wagateway.webhook.MetaWebhooks.freshWaId;
import static wagateway.webhook.MetaWebhooks.freshWamid;
import static wagateway.webhook.MetaWebhooks.statuses;

/**
 * Webhook floods (issue 7 resilience): every status of many messages, each twice, shuffled (read before
 * delivered, sent last...), some of them for messages whose send outcome is not recorded yet, applied in
 * batches. The end state must be what one-by-one application in Meta's order gives: final status, each
 * (message, status) once in the timeline, one business event per (message, status) and no more.
 */
@QuarkusTest
class StatusFloodTest {

    private static final int PER_GROUP = 12;

    @Inject
    WebhookApplier applier;

    @Inject
    WebhookDrainJob drainJob;

    @Test
    void aShuffledFloodWithDuplicatesAppliedInOneBatchEndsAsInMetasOrder() throws Exception {
        Flood flood = Flood.create(new Random(7));
        long before = MetaWebhooks.lastInboxId();
        // All rows become pending in one commit, so the drain finds them all at once: one batch.
        try (Connection c = TestDb.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(
                    "insert into webhook_inbox (received_at, body) values (now(), ?)")) {
                for (String body : flood.bodies) {
                    insert.setString(1, body);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
        }
        applier.applyPending().await().atMost(Duration.ofSeconds(30));

        awaitApplied(before, flood.bodies.size());
        assertEquals(1L, TestDb.count("select count(distinct applied_at) from webhook_inbox where id > ?", before),
                "all rows applied in one transaction (one batch)");
        flood.check(drainJob, true);
    }

    @Test
    void aShuffledFloodOverHttpFromManyClientsEndsAsInMetasOrder() throws Exception {
        Flood flood = Flood.create(new Random(11));
        long before = MetaWebhooks.lastInboxId();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> posts = new ArrayList<>();
            for (String body : flood.bodies) {
                posts.add(clients.submit(() -> MetaWebhooks.post(body).statusCode(200)));
            }
            for (Future<?> post : posts) {
                post.get();
            }
        } finally {
            clients.shutdown();
        }
        // a redelivery that is the same bytes is answered 200 and not stored again (its digest is known)
        awaitApplied(before, new HashSet<>(flood.bodies).size());
        // Spread over several batches, a read can be applied before its delivered: as one by one, the late
        // delivered then moves nothing and tells the business nothing. Never twice, never backwards.
        flood.check(drainJob, false);
    }

    @Test
    void aRowThatCannotBeAppliedDoesNotHoldBackTheRestOfItsBatch() throws Exception {
        TestDb.update("""
                create or replace function test_refuse_in_batch() returns trigger language plpgsql as $$
                begin
                    if new.wamid like 'wamid.POISON%' then raise exception 'poison row'; end if;
                    return new;
                end $$""");
        TestDb.update("create trigger test_refuse_in_batch before insert on inbound_message for each row "
                + "execute function test_refuse_in_batch()");
        try {
            String waId = freshWaId();
            String wamid = freshWamid();
            UUID id = TestDb.insertOutbound("+" + waId, wamid, "sent", null, null);
            ObjectNode poison = MetaWebhooks.text(freshWaId(), "hello");
            ((ObjectNode) MetaWebhooks.messages(poison).get(0)).put("id", "wamid.POISON" + UUID.randomUUID());
            List<String> bodies = List.of(MetaWebhooks.status(waId, wamid, "delivered", Instant.now()).toString(),
                    poison.toString(), MetaWebhooks.status(waId, wamid, "read", Instant.now()).toString());
            long before = MetaWebhooks.lastInboxId();
            try (Connection c = TestDb.connect()) {
                c.setAutoCommit(false);
                try (PreparedStatement insert = c.prepareStatement(
                        "insert into webhook_inbox (received_at, body) values (now(), ?)")) {
                    for (String body : bodies) {
                        insert.setString(1, body);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                c.commit();
            }
            applier.applyPending().await().atMost(Duration.ofSeconds(30));

            assertEquals("read", TestDb.value("select status from outbound_message where id = ?", id));
            assertEquals(List.of("delivered", "read"), TestDb.rows("select payload->>'status' as status from event_outbox "
                    + "where message_id = ? order by id", id).stream().map(r -> r.get("status")).toList());
            assertEquals(List.of("applied", "pending", "applied"), TestDb.rows("select state from webhook_inbox "
                    + "where id > ? order by id", before).stream().map(r -> r.get("state")).toList());
            Map<String, Object> bad = TestDb.row("select attempts, last_error from webhook_inbox where id > ? "
                    + "and state = 'pending'", before);
            assertTrue((Integer) bad.get("attempts") >= 1);
            assertTrue(((String) bad.get("last_error")).contains("poison row"), (String) bad.get("last_error"));
            TestDb.update("update webhook_inbox set state = 'failed' where id > ? and state = 'pending'", before);
        } finally {
            TestDb.update("drop trigger if exists test_refuse_in_batch on inbound_message");
        }
    }

    private static void awaitApplied(long before, int rows) {
        await().atMost(Duration.ofSeconds(30)).until(() -> TestDb.count(
                "select count(*) from webhook_inbox where id > ? and state = 'applied'", before) == rows);
        assertEquals(0L, TestDb.count("select count(*) from webhook_inbox where id > ? and state <> 'applied'", before));
    }

    /**
     * Three groups of messages: (a) sent, wamid on record; (b) still {@code sending}, no wamid yet (Meta's
     * webhook overtook our record of the answer; matched by {@code biz_opaque_callback_data}); (c) not in
     * our records at all yet (kept as orphans, applied when the dispatcher records the wamid).
     */
    private record Flood(List<UUID> recorded, List<UUID> notRecorded, List<String> unknownWamids,
            List<String> unknownWaIds, List<String> bodies) {

        static Flood create(Random random) {
            Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
            List<UUID> recorded = new ArrayList<>();
            List<UUID> notRecorded = new ArrayList<>();
            List<String> unknownWamids = new ArrayList<>();
            List<String> unknownWaIds = new ArrayList<>();
            List<ObjectNode> items = new ArrayList<>();
            for (int i = 0; i < PER_GROUP; i++) {
                String waA = freshWaId();
                String wamidA = freshWamid();
                recorded.add(TestDb.insertOutbound("+" + waA, wamidA, "sent", null, null));
                items.addAll(lifecycle(waA, wamidA, null, t0));

                String waB = freshWaId();
                UUID idB = TestDb.insertOutbound("+" + waB, null, "sending", null, null);
                notRecorded.add(idB);
                items.addAll(lifecycle(waB, freshWamid(), idB, t0));

                String waC = freshWaId();
                String wamidC = freshWamid();
                unknownWaIds.add(waC);
                unknownWamids.add(wamidC);
                items.addAll(lifecycle(waC, wamidC, null, t0));
            }
            Collections.shuffle(items, random);
            // Meta puts one status in most webhooks and several in some: so do we.
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < items.size();) {
                ObjectNode payload = items.get(i++);
                int extra = random.nextInt(4) == 0 ? random.nextInt(3) : 0;
                for (int j = 0; j < extra && i < items.size(); j++) {
                    statuses(payload).add(statuses(items.get(i++)).get(0));
                }
                bodies.add(payload.toString());
            }
            return new Flood(recorded, notRecorded, unknownWamids, unknownWaIds, bodies);
        }

        /** sent, delivered, read of one message, each twice (Meta redelivers). */
        private static List<ObjectNode> lifecycle(String waId, String wamid, UUID ourId, Instant t0) {
            List<ObjectNode> items = new ArrayList<>();
            String[] lifecycle = { "sent", "delivered", "read" };
            for (int copy = 0; copy < 2; copy++) {
                for (int s = 0; s < lifecycle.length; s++) {
                    ObjectNode payload = MetaWebhooks.status(waId, wamid, lifecycle[s], t0.plusSeconds(s));
                    if (ourId != null) {
                        ((ObjectNode) statuses(payload).get(0)).put("biz_opaque_callback_data", ourId.toString());
                    }
                    items.add(payload);
                }
            }
            return items;
        }

        /**
         * @param oneBatch every status was applied in one batch: each message's moves are then reported
         *        exactly, in order, whatever order they came in
         */
        void check(WebhookDrainJob drainJob, boolean oneBatch) {
            for (UUID id : recorded) {
                assertEquals("read", statusOf(id));
                assertEquals(List.of("sent", "delivered", "read"), timeline(id), "timeline of " + id);
                // it was already sent: the business hears of each move once, in order
                assertEvents(List.of("delivered", "read"), events(id), oneBatch, "events of " + id);
            }
            for (UUID id : notRecorded) {
                assertEquals("read", statusOf(id));
                assertEquals(1L, TestDb.count("select count(*) from outbound_message where id = ? and wamid is not null", id),
                        "the wamid Meta reported is recorded");
                assertEquals(List.of("sent", "delivered", "read"), timeline(id), "timeline of " + id);
                assertEvents(List.of("sent", "delivered", "read"), events(id), oneBatch, "events of " + id);
            }
            for (String wamid : unknownWamids) {
                assertEquals(List.of("delivered", "read", "sent"), TestDb.rows("select status from orphan_status "
                        + "where wamid = ? order by status", wamid).stream().map(r -> r.get("status")).toList(),
                        "kept once per status");
            }
            // The dispatcher records the wamids now (as 'sent', no webhook yet): the drain applies what was kept.
            List<UUID> late = new ArrayList<>();
            for (int i = 0; i < unknownWamids.size(); i++) {
                late.add(TestDb.insertOutbound("+" + unknownWaIds.get(i), unknownWamids.get(i), "sent", null, null));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                drainJob.drain().await().atMost(Duration.ofSeconds(10));
                return TestDb.count("select count(*) from orphan_status where wamid = any(?)",
                        (Object) unknownWamids.toArray(String[]::new)) == 0;
            });
            for (UUID id : late) {
                assertEquals("read", statusOf(id));
                assertEquals(List.of("sent", "delivered", "read"), timeline(id), "timeline of " + id);
                assertEquals(List.of("delivered", "read"), events(id), "events of " + id);
            }
        }

        /** Exactly {@code all}, or (spread over batches) an ordered subset of it that ends with its last. */
        private static void assertEvents(List<String> all, List<Object> events, boolean exact, String what) {
            if (exact) {
                assertEquals(all, events, what);
                return;
            }
            List<Object> inOrder = all.stream().filter(events::contains).map(Object.class::cast).toList();
            assertEquals(inOrder, events, what + ": each status once, forward only");
            assertEquals(all.get(all.size() - 1), events.get(events.size() - 1), what + ": the final move");
        }

        private static String statusOf(UUID id) {
            return (String) TestDb.value("select status from outbound_message where id = ?", id);
        }

        private static List<Object> timeline(UUID id) {
            return TestDb.rows("select status from message_event where message_id = ? and source = 'webhook' "
                    + "order by occurred_at, id", id).stream().map(r -> r.get("status")).toList();
        }

        private static List<Object> events(UUID id) {
            return TestDb.rows("select payload->>'status' as status from event_outbox where message_id = ? "
                    + "and type = 'message.status' order by id", id).stream().map(r -> r.get("status")).toList();
        }
    }
}
