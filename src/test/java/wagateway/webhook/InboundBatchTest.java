package wagateway.webhook;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import wagateway.event.CallbackSink;
import wagateway.testsupport.TestClockProducer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static wagateway.webhook.MetaWebhooks.JSON;
import static wagateway.webhook.MetaWebhooks.freshWaId;
import static wagateway.webhook.MetaWebhooks.freshWamid;
import static wagateway.webhook.MetaWebhooks.postApplied;

/**
 * Inbound messages are applied set-based, a drain batch at a time (issue 15): whatever a batch holds — several
 * customers, one customer many times, a keyword and what follows it, system notices, referrals, replies, a wamid
 * twice, a redelivery, a customer known only by user id — the result is that of applying its messages one by one
 * in the order Meta sent them.
 */
@QuarkusTest
class InboundBatchTest {

    @Inject
    WebhookApplier applier;

    @Test
    void oneWebhookWithManyMessagesFromSeveralCustomersHasTheEffectsOfApplyingThemOneByOne() {
        String ana = freshWaId();
        String bruno = freshWaId();
        String carla = freshWaId();
        String eva = freshWaId();
        String evaUser = "US." + UUID.randomUUID();
        String nobody = "US.unknown-" + UUID.randomUUID();
        Instant base = TestClockProducer.CLOCK.instant().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));

        // Ana wrote before: that message comes again inside the batch (a redelivery)
        String earlier = freshWamid();
        postApplied(webhook(List.of(text(ana, earlier, base, "first of all")), List.of(contact(ana, "Ana", null))));
        Map<String, Object> earlierRow = TestDb.row("select * from inbound_message where wamid = ?", earlier);
        // Bruno replies to one of our messages, which has its own callback URL and metadata
        String ours = freshWamid();
        String url = CallbackSink.url("batch-reply");
        UUID ourId = TestDb.insertOutbound("+" + bruno, ours, "read", url, "{\"campaign\":\"autumn\"}");

        List<String> w = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            w.add(freshWamid());
        }
        List<ObjectNode> items = new ArrayList<>();
        items.add(text(ana, w.get(0), at(base, 1), "hello")); // 0
        ObjectNode referral = text(bruno, w.get(1), at(base, 2), "saw your ad"); // 1: a 72 h free entry point
        referral.putObject("referral").put("source_type", "ad").put("ctwa_clid", "CLID-1");
        items.add(referral);
        items.add(text(ana, w.get(2), at(base, 3), "STOP")); // 2
        ObjectNode system = item(carla, w.get(3), at(base, 4), "system"); // 3: opens no window
        system.putObject("system").put("body", "User changed number").put("type", "user_changed_number");
        items.add(system);
        items.add(text(ana, w.get(4), at(base, 5), "are you still there?")); // 4: after her STOP
        ObjectNode reply = item(bruno, w.get(5), at(base, 6), "button"); // 5: a quick reply to our message
        reply.putObject("button").put("payload", "SIM").put("text", "Sim");
        reply.putObject("context").put("from", "15550000001").put("id", ours);
        items.add(reply);
        items.add(text(ana, w.get(6), at(base, 7), "Start")); // 6: opts back in
        items.add(text(ana, w.get(0), at(base, 8), "hello")); // 7: wamid 0 again, later: changes nothing
        items.add(text(carla, w.get(8), at(base, 9), "hi")); // 8
        items.add(text(eva, w.get(9), at(base, 10), "I am Eva")); // 9: phone and user id
        ObjectNode byUserId = text(eva, w.get(10), at(base, 11), "STOP"); // 10: user id only
        byUserId.put("from", "").put("from_user_id", evaUser);
        items.add(byUserId);
        items.add(text(ana, earlier, at(base, 12), "first of all")); // 11: the redelivery
        ObjectNode unknown = text(ana, w.get(12), at(base, 13), "who am I?"); // 12: nobody we know
        unknown.put("from", "").put("from_user_id", nobody);
        items.add(unknown);
        postApplied(webhook(items, List.of(contact(ana, "Ana", null), contact(bruno, "Bruno", null),
                contact(carla, "Carla", null), contact(eva, "Eva", evaUser))));

        // stored once per wamid; the redelivery left its row as it was
        List<String> stored = List.of(w.get(0), w.get(1), w.get(2), w.get(3), w.get(4), w.get(5), w.get(6), w.get(8),
                w.get(9), w.get(10), w.get(12));
        for (String wamid : stored) {
            assertEquals(1L, TestDb.count("select count(*) from inbound_message where wamid = ?", wamid), wamid);
        }
        assertEquals(earlierRow, TestDb.row("select * from inbound_message where wamid = ?", earlier));
        assertEquals(at(base, 1), TestDb.value("select sent_at from inbound_message where wamid = ?", w.get(0)));
        assertEquals(Map.of("from_phone", "+" + bruno, "type", "button", "context_wamid", ours, "free_entry_point", false),
                TestDb.row("select from_phone, type, context_wamid, free_entry_point from inbound_message where wamid = ?",
                        w.get(5)));
        assertEquals(true, TestDb.value("select free_entry_point from inbound_message where wamid = ?", w.get(1)));
        Map<String, Object> byUser = TestDb.row("select from_phone, from_user_id from inbound_message where wamid = ?",
                w.get(10));
        assertNull(byUser.get("from_phone"));
        assertEquals(evaUser, byUser.get("from_user_id"));

        // contacts: identity, the latest inbound time, windows that only grow
        assertContact(ana, "Ana", null, at(base, 7), at(base, 7).plus(Duration.ofHours(24)), false, "opted_in");
        assertContact(bruno, "Bruno", null, at(base, 6), at(base, 2).plus(Duration.ofHours(72)), true, "none");
        assertContact(carla, "Carla", null, at(base, 9), at(base, 9).plus(Duration.ofHours(24)), false, "none");
        assertContact(eva, "Eva", evaUser, at(base, 11), at(base, 11).plus(Duration.ofHours(24)), false, "opted_out");
        assertEquals(List.of(
                Map.of("phone", "+" + ana, "last_inbound_at", at(base, 7), "window_open_until",
                        at(base, 7).plus(Duration.ofHours(24)), "free_entry_point", false),
                Map.of("phone", "+" + bruno, "last_inbound_at", at(base, 6), "window_open_until",
                        at(base, 2).plus(Duration.ofHours(72)), "free_entry_point", true),
                Map.of("phone", "+" + carla, "last_inbound_at", at(base, 9), "window_open_until",
                        at(base, 9).plus(Duration.ofHours(24)), "free_entry_point", false),
                Map.of("phone", "+" + eva, "last_inbound_at", at(base, 11), "window_open_until",
                        at(base, 11).plus(Duration.ofHours(24)), "free_entry_point", false)),
                TestDb.rows("select phone, last_inbound_at, window_open_until, free_entry_point from contact_window "
                        + "where phone in (?, ?, ?, ?) and sender = 'main' order by array_position(array[?, ?, ?, ?], phone)",
                        "+" + ana, "+" + bruno, "+" + carla, "+" + eva, "+" + ana, "+" + bruno, "+" + carla, "+" + eva));
        // a customer known by user id only is a contact too (issue 17), with a window like any other
        assertEquals(1L, TestDb.count("select count(*) from contact where user_id = ? and phone is null "
                + "and window_open_until is not null", nobody));

        // the consent trail, in message order, with each wamid as evidence
        assertEquals(List.of(
                Map.of("phone", "+" + ana, "status", "opted_out", "evidence", w.get(2)),
                Map.of("phone", "+" + ana, "status", "opted_in", "evidence", w.get(6)),
                Map.of("phone", "+" + eva, "status", "opted_out", "evidence", w.get(10))),
                TestDb.rows("select phone, status, evidence from consent_event where phone in (?, ?, ?, ?) "
                        + "and source = 'keyword' order by id", "+" + ana, "+" + bruno, "+" + carla, "+" + eva));

        // one message.received event per new message, in the order Meta sent them
        List<Map<String, Object>> events = TestDb.rows("select contact_phone, url, payload from event_outbox "
                + "where type = 'message.received' and payload->>'wamid' = any(?) order by id",
                (Object) (stored.toArray(String[]::new)));
        assertEquals(stored, events.stream().map(e -> new JsonObject((String) e.get("payload")).getString("wamid")).toList());
        assertEquals(1L, TestDb.count("select count(*) from event_outbox where payload->>'wamid' = ?", earlier));
        List<String> from = new ArrayList<>();
        for (Map<String, Object> e : events) {
            from.add((String) e.get("contact_phone"));
        }
        assertEquals(Arrays.asList("+" + ana, "+" + bruno, "+" + ana, "+" + carla, "+" + ana, "+" + bruno,
                "+" + ana, "+" + carla, "+" + eva, "+" + eva, nobody), from); // no phone: keyed by user id
        JsonObject replied = new JsonObject((String) events.get(5).get("payload"));
        assertEquals(url, events.get(5).get("url"));
        assertEquals(ourId.toString(), replied.getJsonObject("inReplyTo").getString("messageId"));
        assertEquals("autumn", replied.getJsonObject("metadata").getString("campaign"));
        assertEquals("Sim", replied.getJsonObject("content").getString("text"));
        JsonObject fromEva = new JsonObject((String) events.get(9).get("payload"));
        assertEquals("+" + eva, fromEva.getString("from"));
        assertEquals(evaUser, fromEva.getString("userId"));
        JsonObject fromNobody = new JsonObject((String) events.get(10).get("payload"));
        assertNull(fromNobody.getString("from"));
        assertEquals(nobody, fromNobody.getString("userId"));
        JsonObject fromBruno = new JsonObject((String) events.get(1).get("payload"));
        assertEquals("CLID-1", fromBruno.getJsonObject("referral").getString("ctwa_clid"));
        assertEquals(at(base, 2).toString(), fromBruno.getString("timestamp"));
        assertEquals("Bruno", fromBruno.getString("profileName"));
        assertEquals(TestDb.value("select id::text from inbound_message where wamid = ?", w.get(1)),
                fromBruno.getString("messageId"));
    }

    @Test
    void aDrainOfSeveralWebhooksKeepsMetaOrderAcrossThemAndAroundPreferences() {
        String xavier = freshWaId();
        String yara = freshWaId();
        Instant base = TestClockProducer.CLOCK.instant().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
        String y1 = freshWamid();
        String y2 = freshWamid();
        String y3 = freshWamid();
        String x1 = freshWamid();
        // 1: Yara says STOP, and Xavier stops marketing messages inside WhatsApp
        ObjectNode first = webhook(List.of(text(yara, y1, at(base, 1), "STOP")), List.of(contact(yara, "Yara", null)));
        ArrayNode preferences = MetaWebhooks.value(first).putArray("user_preferences");
        preferences.addObject().put("wa_id", xavier).put("detail", "User requested to stop marketing messages")
                .put("category", "marketing_messages").put("value", "stop").put("timestamp", at(base, 2).getEpochSecond());
        // 2: Xavier opts back in by keyword (which lifts his marketing stop), Yara writes again
        ObjectNode second = webhook(List.of(text(xavier, x1, at(base, 3), "VOLTAR"), text(yara, y2, at(base, 4), "hello")),
                List.of(contact(xavier, "Xavier", null), contact(yara, "Yara", null)));
        // 3: Yara opts back in
        ObjectNode third = webhook(List.of(text(yara, y3, at(base, 5), "start")), List.of(contact(yara, "Yara", null)));

        // stored in one statement, so one drain takes all three together
        long before = MetaWebhooks.lastInboxId();
        TestDb.update("insert into webhook_inbox (received_at, body) select now(), b from unnest(?::text[]) b",
                (Object) new String[] { first.toString(), second.toString(), third.toString() });
        applier.applyPending().await().atMost(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(15)).until(() -> TestDb.count(
                "select count(*) from webhook_inbox where id > ? and state = 'applied'", before) == 3);
        assertEquals(1L, TestDb.count("select count(distinct applied_at) from webhook_inbox where id > ?", before),
                "one transaction");

        assertEquals(List.of(Map.of("status", "opted_out", "scope", "marketing", "source", "user_preferences"),
                Map.of("status", "opted_in", "scope", "all", "source", "keyword")),
                TestDb.rows("select status, scope, source from consent_event where phone = ? order by id", "+" + xavier));
        assertEquals(Map.of("consent_status", "opted_in", "marketing_opted_out", false),
                TestDb.row("select consent_status, marketing_opted_out from contact where phone = ?", "+" + xavier));
        assertEquals(List.of(Map.of("status", "opted_out", "evidence", y1), Map.of("status", "opted_in", "evidence", y3)),
                TestDb.rows("select status, evidence from consent_event where phone = ? order by id", "+" + yara));
        assertEquals("opted_in", TestDb.value("select consent_status from contact where phone = ?", "+" + yara));
        assertEquals(List.of(y1, y2, y3), TestDb.rows("select payload->>'wamid' as wamid from event_outbox "
                + "where type = 'message.received' and contact_phone = ? order by id", "+" + yara).stream()
                .map(r -> r.get("wamid")).toList());
        assertEquals(at(base, 5).plus(Duration.ofHours(24)),
                TestDb.value("select window_open_until from contact where phone = ?", "+" + yara));
    }

    @Test
    void aBatchThatFailsIsAppliedOneWebhookAtATimeThroughTheSameSetBasedCode() {
        TestDb.update("""
                create or replace function test_refuse_inbound() returns trigger language plpgsql as $$
                begin
                    if new.wamid like 'wamid.POISON%' then raise exception 'poison message'; end if;
                    return new;
                end $$""");
        TestDb.update("create trigger test_refuse_inbound before insert on inbound_message for each row "
                + "execute function test_refuse_inbound()");
        try {
            String zoe = freshWaId();
            Instant base = TestClockProducer.CLOCK.instant().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
            String z1 = freshWamid();
            String z2 = freshWamid();
            String z3 = freshWamid();
            ObjectNode first = webhook(List.of(text(zoe, z1, at(base, 1), "STOP"), text(zoe, z2, at(base, 2), "ok")),
                    List.of(contact(zoe, "Zoe", null)));
            ObjectNode poison = webhook(List.of(text(zoe, "wamid.POISON" + UUID.randomUUID(), at(base, 3), "x")),
                    List.of(contact(zoe, "Zoe", null)));
            ObjectNode third = webhook(List.of(text(zoe, z3, at(base, 4), "START")), List.of(contact(zoe, "Zoe", null)));
            long before = MetaWebhooks.lastInboxId();
            TestDb.update("insert into webhook_inbox (received_at, body) select now(), b from unnest(?::text[]) b",
                    (Object) new String[] { first.toString(), poison.toString(), third.toString() });
            applier.applyPending().await().atMost(Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(15)).until(() -> TestDb.count(
                    "select count(*) from webhook_inbox where id > ? and state = 'applied'", before) == 2);

            assertEquals(List.of("applied", "pending", "applied"), TestDb.rows("select state from webhook_inbox "
                    + "where id > ? order by id", before).stream().map(r -> r.get("state")).toList());
            assertEquals(List.of(z1, z2, z3), TestDb.rows("select payload->>'wamid' as wamid from event_outbox "
                    + "where type = 'message.received' and contact_phone = ? order by id", "+" + zoe).stream()
                    .map(r -> r.get("wamid")).toList());
            assertEquals(List.of(Map.of("status", "opted_out", "evidence", z1), Map.of("status", "opted_in", "evidence", z3)),
                    TestDb.rows("select status, evidence from consent_event where phone = ? order by id", "+" + zoe));
            assertEquals(Map.of("consent_status", "opted_in", "window_open_until", at(base, 4).plus(Duration.ofHours(24))),
                    TestDb.row("select consent_status, window_open_until from contact where phone = ?", "+" + zoe));
            TestDb.update("update webhook_inbox set state = 'failed' where id > ? and state = 'pending'", before);
        } finally {
            TestDb.update("drop trigger if exists test_refuse_inbound on inbound_message");
        }
    }

    private static void assertContact(String waId, String profileName, String userId, Instant lastInboundAt,
            Instant windowOpenUntil, boolean freeEntryPoint, String consent) {
        Map<String, Object> row = TestDb.row("select profile_name, user_id, last_inbound_at, last_activity_at, "
                + "window_open_until, free_entry_point, consent_status from contact where phone = ?", "+" + waId);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("profile_name", profileName);
        expected.put("user_id", userId);
        expected.put("last_inbound_at", lastInboundAt);
        expected.put("last_activity_at", lastInboundAt);
        expected.put("window_open_until", windowOpenUntil);
        expected.put("free_entry_point", freeEntryPoint);
        expected.put("consent_status", consent);
        assertEquals(expected, row, waId);
    }

    private static Instant at(Instant base, int seconds) {
        return base.plusSeconds(10L * seconds);
    }

    static ObjectNode item(String waId, String wamid, Instant at, String type) {
        return JSON.createObjectNode().put("from", waId).put("id", wamid).put("timestamp", String.valueOf(at.getEpochSecond()))
                .put("type", type);
    }

    static ObjectNode text(String waId, String wamid, Instant at, String body) {
        ObjectNode item = item(waId, wamid, at, "text");
        item.putObject("text").put("body", body);
        return item;
    }

    static ObjectNode contact(String waId, String name, String userId) {
        ObjectNode contact = JSON.createObjectNode();
        contact.putObject("profile").put("name", name);
        contact.put("wa_id", waId);
        if (userId != null) {
            contact.put("user_id", userId);
        }
        return contact;
    }

    /** One webhook for the test sender carrying {@code messages} (in this order) and {@code contacts}. */
    static ObjectNode webhook(List<ObjectNode> messages, List<ObjectNode> contacts) {
        ObjectNode payload = MetaWebhooks.fixture("inbound-text.json");
        ObjectNode value = MetaWebhooks.value(payload);
        ((ObjectNode) value.path("metadata")).put("phone_number_id", MetaWebhooks.PHONE_NUMBER_ID);
        value.putArray("contacts").addAll(contacts);
        value.putArray("messages").addAll(messages);
        return payload;
    }
}
