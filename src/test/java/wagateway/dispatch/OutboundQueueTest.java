package wagateway.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import wagateway.message.ClaimedMessage;
import wagateway.message.OutboundQueue;
import wagateway.message.Outcome;
import wagateway.support.Ids;
import wagateway.testsupport.TestDb;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The claim transaction against the real database. Rows belong to a sender no dispatcher drives
 * ("unit"), so the running pipeline never touches them.
 */
@QuarkusTest
class OutboundQueueTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    OutboundQueue queue;
    @Inject
    ClaimRules rules;

    /** A claim as the dispatcher makes it: the queue's transaction with the send-time rules. */
    Uni<OutboundQueue.Claim<ClaimRules.ToSend>> claim(String sender, int limit, String owner, Instant now) {
        return queue.claim(sender, limit, owner, Duration.ofSeconds(60), now, rules);
    }

    static UUID insert(String sender, String to, int priority, Instant due) {
        UUID id = Ids.next();
        TestDb.update("insert into outbound_message (id, api_key_id, sender, recipient, type, category, priority, content, "
                + "status, next_attempt_at, created_at, updated_at) values (?, 'k', ?, ?, 'template', 'utility', ?, "
                + "'{\"type\":\"template\",\"template\":{\"name\":\"hello_world\",\"language\":{\"code\":\"en_US\"}}}'::jsonb, "
                + "'queued', ?, now(), now())", id, sender, to, (short) priority, java.sql.Timestamp.from(due));
        return id;
    }

    @Test
    void claimsHighestPriorityFirstThenOldestDue() {
        String sender = "unit-" + UUID.randomUUID();
        Instant now = Instant.now();
        List<String> phones = List.of(TestDb.freshPhone(), TestDb.freshPhone(), TestDb.freshPhone(), TestDb.freshPhone());
        phones.forEach(TestDb::optIn);
        UUID lowOld = insert(sender, phones.get(0), 0, now.minusSeconds(60));
        UUID normal = insert(sender, phones.get(1), 1, now.minusSeconds(30));
        UUID highNew = insert(sender, phones.get(2), 2, now.minusSeconds(1));
        UUID notDue = insert(sender, phones.get(3), 2, now.plusSeconds(60));

        var first = claim(sender, 1, "owner-a", now).await().atMost(WAIT);
        assertThat(first.toSend()).extracting(t -> t.message().id()).containsExactly(highNew);
        var rest = claim(sender, 10, "owner-a", now).await().atMost(WAIT);
        assertThat(rest.toSend()).extracting(t -> t.message().id()).containsExactly(normal, lowOld);
        assertThat(TestDb.query("select status from outbound_message where id = ?", notDue).get(0).get("status"))
                .isEqualTo("queued");
        assertThat(TestDb.query("select status, lease_owner from outbound_message where id = ?", highNew).get(0))
                .containsEntry("status", "sending").containsEntry("lease_owner", "owner-a");
    }

    @Test
    void twoReplicasNeverClaimTheSameRow() {
        String sender = "unit-" + UUID.randomUUID();
        Instant now = Instant.now();
        for (int i = 0; i < 20; i++) {
            String phone = TestDb.freshPhone();
            TestDb.optIn(phone);
            insert(sender, phone, 1, now.minusSeconds(1));
        }
        var a = claim(sender, 15, "owner-a", now);
        var b = claim(sender, 15, "owner-b", now);
        var claimedA = a.await().atMost(WAIT).toSend();
        var claimedB = b.await().atMost(WAIT).toSend();
        assertThat(claimedA.size() + claimedB.size()).isEqualTo(20);
        assertThat(claimedA).extracting(t -> t.message().id())
                .doesNotContainAnyElementsOf(claimedB.stream().map(t -> t.message().id()).toList());
    }

    @Test
    void pairRateDefersTheSecondMessageToOneRecipientAndNoOneElse() {
        String sender = "unit-" + UUID.randomUUID();
        Instant now = Instant.now();
        String busy = TestDb.freshPhone();
        String other = TestDb.freshPhone();
        TestDb.optIn(busy);
        TestDb.optIn(other);
        UUID first = insert(sender, busy, 1, now.minusSeconds(3));
        UUID second = insert(sender, busy, 1, now.minusSeconds(2));
        UUID third = insert(sender, other, 1, now.minusSeconds(1));
        var claim = claim(sender, 10, "owner-a", now).await().atMost(WAIT);
        assertThat(claim.toSend()).extracting(t -> t.message().id()).containsExactly(first, third);
        var deferred = TestDb.query("select status, reason, next_attempt_at from outbound_message where id = ?", second).get(0);
        assertThat(deferred).containsEntry("status", "queued").containsEntry("reason", "pair_rate");
        assertThat(((java.sql.Timestamp) deferred.get("next_attempt_at")).toInstant())
                .isEqualTo(now.plus(Duration.ofSeconds(6)).truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        // six seconds later it goes
        var later = claim(sender, 10, "owner-a", now.plusSeconds(6)).await().atMost(WAIT);
        assertThat(later.toSend()).extracting(t -> t.message().id()).containsExactly(second);
    }

    @Test
    void aPhoneAndAUserIdOfOneContactArePacedAsOneRecipient() {
        // issue 17: rules 4 and 5 count people, whichever identifier a message is addressed with
        String sender = "unit-" + UUID.randomUUID();
        Instant now = Instant.now();
        String phone = TestDb.freshPhone();
        String userId = "US." + UUID.randomUUID().toString().replace("-", "");
        TestDb.optIn(phone);
        TestDb.update("update contact set user_id = ? where phone = ?", userId, phone);
        UUID byPhone = insert(sender, phone, 1, now.minusSeconds(3));
        UUID byUserId = insert(sender, userId, 1, now.minusSeconds(2));
        var claim = claim(sender, 10, "owner-a", now).await().atMost(WAIT);
        assertThat(claim.toSend()).extracting(t -> t.message().id()).containsExactly(byPhone);
        assertThat(TestDb.query("select status, reason from outbound_message where id = ?", byUserId).get(0))
                .containsEntry("status", "queued").containsEntry("reason", "pair_rate");
    }

    @Test
    void rulesAreCheckedAgainAtSendTime() {
        String sender = "unit-" + UUID.randomUUID();
        Instant now = Instant.now();
        String phone = TestDb.freshPhone();
        TestDb.optIn(phone);
        UUID id = insert(sender, phone, 1, now.minusSeconds(1));
        // the customer opted out while the message waited
        TestDb.optOut(phone);
        var claim = claim(sender, 10, "owner-a", now).await().atMost(WAIT);
        assertThat(claim.toSend()).isEmpty();
        assertThat(TestDb.query("select status, reason from outbound_message where id = ?", id).get(0))
                .containsEntry("status", "rejected").containsEntry("reason", "opted_out");
        assertThat(
                TestDb.count("select count(*) from event_outbox where message_id = ? and payload->>'status' = 'rejected'", id))
                .isEqualTo(1);
    }

    @Test
    void aFreeFormMessageFindingTheWindowClosedIsRejectedAndSuggestsAnotherChannel() {
        // spec §2 events: a message WhatsApp cannot take (window closed, no fallback) tells a journey engine
        // to switch channel; the customer's window closed while the message waited (rule 2 at send time)
        String sender = "unit-" + UUID.randomUUID();
        Instant now = Instant.now();
        String phone = TestDb.freshPhone();
        TestDb.optIn(phone);
        UUID id = Ids.next();
        TestDb.update("insert into outbound_message (id, api_key_id, sender, recipient, type, category, priority, content, "
                + "status, next_attempt_at, created_at, updated_at) values (?, 'k', ?, ?, 'text', 'service', 1, "
                + "'{\"type\":\"text\",\"text\":{\"body\":\"still there?\"}}'::jsonb, 'queued', ?, now(), now())",
                id, sender, phone, java.sql.Timestamp.from(now.minusSeconds(1)));
        var claim = claim(sender, 10, "owner-a", now).await().atMost(WAIT);
        assertThat(claim.toSend()).isEmpty();
        assertThat(TestDb.query("select status, reason from outbound_message where id = ?", id).get(0))
                .containsEntry("status", "rejected").containsEntry("reason", "window_closed");
        assertThat(TestDb.query("select payload->>'status' as status, payload->>'reason' as reason, "
                + "payload->>'fallbackSuggested' as fallback from event_outbox where message_id = ?", id))
                .containsExactly(java.util.Map.of("status", "rejected", "reason", "window_closed", "fallback", "true"));
    }

    @Test
    void expiredMessagesAreNeverSent() {
        String sender = "unit-" + UUID.randomUUID();
        Instant now = Instant.now();
        String phone = TestDb.freshPhone();
        TestDb.optIn(phone);
        UUID id = insert(sender, phone, 1, now.minusSeconds(10));
        TestDb.update("update outbound_message set expires_at = ? where id = ?", java.sql.Timestamp.from(now.minusSeconds(1)),
                id);
        var claim = claim(sender, 10, "owner-a", now).await().atMost(WAIT);
        assertThat(claim.toSend()).isEmpty();
        assertThat(TestDb.query("select status from outbound_message where id = ?", id).get(0)).containsEntry("status",
                "expired");
    }

    @Test
    void aCrashedReplicasLeaseIsReclaimed() {
        String sender = "unit-" + UUID.randomUUID();
        Instant now = Instant.now();
        String phone = TestDb.freshPhone();
        TestDb.optIn(phone);
        UUID id = insert(sender, phone, 1, now.minusSeconds(1));
        var claim = claim(sender, 10, "crashed-replica", now).await().atMost(WAIT);
        assertThat(claim.toSend()).hasSize(1);
        // the replica dies here: no outcome is ever recorded; before the lease ends nobody may take it
        assertThat(claim(sender, 10, "survivor", now.plusSeconds(1)).await().atMost(WAIT).toSend()).isEmpty();
        queue.reclaimExpiredLeases(now.plus(Duration.ofSeconds(61))).await().atMost(WAIT);
        var again = claim(sender, 10, "survivor", now.plus(Duration.ofSeconds(62))).await().atMost(WAIT);
        assertThat(again.toSend()).extracting(t -> t.message().id()).containsExactly(id);
        // the dead replica's late outcome can no longer overwrite the survivor's lease
        queue.record(List.of(new Outcome.Sent(claim.toSend().get(0).message(), "wamid.late", false)), "crashed-replica",
                now.plusSeconds(63)).await().atMost(WAIT);
        assertThat(TestDb.query("select status, lease_owner from outbound_message where id = ?", id).get(0))
                .containsEntry("status", "sending").containsEntry("lease_owner", "survivor");
    }

    @Test
    void statusesMetaSentBeforeWeKnewTheWamidAreAppliedWhenWeRecordIt() {
        String sender = "unit-" + UUID.randomUUID();
        Instant now = Instant.now();
        String phone = TestDb.freshPhone();
        TestDb.optIn(phone);
        UUID id = insert(sender, phone, 1, now.minusSeconds(1));
        UUID other = insert(sender, TestDb.freshPhone(), 1, now.minusSeconds(1));
        TestDb.optIn(
                (String) TestDb.query("select recipient from outbound_message where id = ?", other).get(0).get("recipient"));
        String wamid = "wamid.ORPHAN-" + UUID.randomUUID();
        TestDb.update(
                "insert into orphan_status (wamid, status, occurred_at, payload, received_at) values (?, 'delivered', now(), "
                        + "?::jsonb, now())",
                wamid, "{\"id\":\"" + wamid + "\",\"status\":\"delivered\",\"timestamp\":\"" + now.getEpochSecond()
                        + "\",\"recipient_id\":\"" + phone.substring(1) + "\"}");
        var claim = claim(sender, 10, "owner-a", now).await().atMost(WAIT);
        assertThat(claim.toSend()).hasSize(2);
        var sent = claim.toSend().stream().map(t -> (Outcome) new Outcome.Sent(t.message(),
                t.message().id().equals(id) ? wamid : "wamid.PLAIN-" + UUID.randomUUID(), false)).toList();
        queue.record(sent, "owner-a", now).await().atMost(WAIT);
        assertThat(TestDb.query("select status, wamid from outbound_message where id = ?", id).get(0))
                .containsEntry("status", "delivered").containsEntry("wamid", wamid);
        assertThat(TestDb.query("select status from outbound_message where id = ?", other).get(0)).containsEntry("status",
                "sent");
        assertThat(TestDb.count("select count(*) from orphan_status where wamid = ?", wamid)).isZero();
    }

    @Test
    void aStatusMetaReportedBeforeTheAnswerWasRecordedIsNotWrittenOrAnnouncedAgain() {
        String sender = "unit-" + UUID.randomUUID();
        Instant now = Instant.now();
        String phone = TestDb.freshPhone();
        TestDb.optIn(phone);
        UUID id = insert(sender, phone, 1, now.minusSeconds(1));
        var claim = claim(sender, 10, "owner-a", now).await().atMost(WAIT);
        assertThat(claim.toSend()).hasSize(1);
        // Meta's webhook, which carries our id, overtook the Cloud API's answer: its 'sent' is in the timeline (and
        // was announced by the webhook path) before the dispatcher records the answer
        TestDb.update(
                "insert into message_event (message_id, status, source, occurred_at) values (?, 'sent', 'webhook', now())",
                id);
        queue.record(List.of(new Outcome.Sent(claim.toSend().get(0).message(), "wamid.EARLY-" + UUID.randomUUID(), false)),
                "owner-a", now).await().atMost(WAIT);
        assertThat(TestDb.query("select status from outbound_message where id = ?", id).get(0)).containsEntry("status", "sent");
        assertThat(TestDb.count("select count(*) from message_event where message_id = ? and status = 'sent'", id))
                .as("one 'sent' in the timeline").isEqualTo(1);
        assertThat(TestDb.count("select count(*) from event_outbox where message_id = ? and type = 'message.status' "
                + "and payload->>'status' = 'sent'", id)).as("the gateway announces no second 'sent'").isZero();
    }

    @Test
    void outcomesAreRecordedInTheOrderPostgresqlSortsTheirIdsTheOrderTheWebhookBatchLocksIn() {
        // Both sides lock many messages per transaction; only one shared order rules out deadlocks between
        // them. UUIDs with the high bit set in either half tell an unsigned order from Java's signed one.
        List<UUID> ids = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 200; i++) {
            ids.add(new UUID(random.nextLong(), random.nextLong()));
        }
        ids.add(Ids.next());
        ids.add(new UUID(Long.MIN_VALUE, 0));
        ids.add(new UUID(Long.MAX_VALUE, -1));
        List<Outcome> outcomes = new java.util.ArrayList<>(ids.stream().map(id -> (Outcome) new Outcome.Sent(
                new ClaimedMessage(id, "unit", "+1", "text", null, 1, null, null, null, null, null, null, null, 0,
                        false, null),
                "w", false)).toList());
        outcomes.sort(OutboundQueue.BY_MESSAGE_ID);

        String array = ids.stream().map(UUID::toString).collect(java.util.stream.Collectors.joining(",", "{", "}"));
        List<Object> postgresOrder = TestDb.query("select u::text as id from unnest(?::uuid[]) u order by u", array)
                .stream().map(row -> row.get("id")).toList();
        assertThat(outcomes.stream().map(o -> (Object) o.message().id().toString()).toList())
                .containsExactlyElementsOf(postgresOrder);
    }
}
