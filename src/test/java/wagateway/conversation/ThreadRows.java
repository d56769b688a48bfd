package wagateway.conversation;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import wagateway.testsupport.TestDb;

/** Arranges thread history directly in the database, at chosen times. */
final class ThreadRows {

    private ThreadRows() {
    }

    /** A UUIDv7 of the given millisecond, as the gateway would have generated then. */
    static UUID uuid7(Instant at) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (at.toEpochMilli() << 16) | 0x7000L | random.nextLong(0x1000L);
        long lsb = 0x8000000000000000L | random.nextLong(0x4000000000000000L);
        return new UUID(msb, lsb);
    }

    static UUID outbound(String phone, Instant at, String body, String replyTo) {
        UUID id = uuid7(at);
        TestDb.update("insert into outbound_message (id, api_key_id, sender, recipient, type, content, reply_to, status, "
                + "wamid, next_attempt_at, created_at, updated_at, sent_at) values (?, 'test', 'main', ?, 'text', "
                + "jsonb_build_object('type', 'text', 'text', jsonb_build_object('body', ?::text)), ?, 'delivered', ?, ?, ?, ?, ?)",
                id, phone, body, replyTo, wamidOf(id), ts(at), ts(at), ts(at), ts(at));
        return id;
    }

    static UUID inbound(String phone, Instant at, String body, String contextWamid, boolean read) {
        UUID id = UUID.randomUUID();
        TestDb.update("insert into inbound_message (id, wamid, from_phone, type, content, context_wamid, sent_at, "
                + "received_at, read_at) values (?, ?, ?, 'text', jsonb_build_object('type', 'text', 'text', "
                + "jsonb_build_object('body', ?::text)), ?, ?, ?, ?)",
                id, wamidOf(id), phone, body, contextWamid, ts(at), ts(at), read ? ts(at) : null);
        return id;
    }

    /** The customer's last message at {@code at}, as the webhook side records it. */
    static void contact(String phone, Instant lastActivity, Instant windowOpenUntil) {
        TestDb.update("insert into contact (phone, last_activity_at, last_inbound_at, window_open_until, created_at, "
                + "updated_at) values (?, ?, ?, ?, now(), now())", phone, ts(lastActivity), ts(lastActivity),
                ts(windowOpenUntil));
        // its messages become its own, as the webhook handler assigns them
        TestDb.update("update inbound_message set contact_id = (select id from contact where phone = ?) "
                + "where from_phone = ? and contact_id is null", phone, phone);
    }

    static String wamidOf(UUID id) {
        return "wamid.T" + id.toString().replace("-", "");
    }

    private static Timestamp ts(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }
}
