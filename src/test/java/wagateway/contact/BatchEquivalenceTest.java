package wagateway.contact;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.support.Times;
import wagateway.webhook.MetaWebhooks;
import wagateway.webhook.TestDb;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The set-based writers give what their one-row-at-a-time predecessors gave (issue 15): random batches, from
 * random starting points, are recorded once through {@link ContactStore#recordInbound} / {@link ConsentLedger}
 * and once with the statements the gateway ran per message before, verbatim below; the rows must be equal.
 */
@QuarkusTest
class BatchEquivalenceTest {

    /** Before issue 15: one inbound message's contact facts. */
    static final String ONE_CONTACT = """
            insert into contact as c (phone, user_id, profile_name, last_inbound_at, window_open_until, free_entry_point,
                last_activity_at, created_at, updated_at)
            values ($1, $2, $3, $4, $5, $6, $4, $7, $7)
            on conflict (phone) do update set
                user_id = coalesce($2, c.user_id),
                profile_name = coalesce($3, c.profile_name),
                last_inbound_at = greatest(c.last_inbound_at, $4),
                free_entry_point = case when $6 then true
                    when $5 >= coalesce(c.window_open_until, $5) then false
                    else c.free_entry_point end,
                window_open_until = greatest(c.window_open_until, $5),
                last_activity_at = greatest(c.last_activity_at, $4),
                updated_at = $7""";

    /** Before issue 15: one inbound message's window with one business number. */
    static final String ONE_WINDOW = """
            insert into contact_window as w (phone, sender, last_inbound_at, window_open_until, free_entry_point, updated_at)
            values ($1, $2, $3, $4, $5, $6)
            on conflict (phone, sender) do update set
                last_inbound_at = greatest(w.last_inbound_at, $3),
                free_entry_point = case when $5 then true
                    when $4 >= w.window_open_until then false
                    else w.free_entry_point end,
                window_open_until = greatest(w.window_open_until, $4),
                updated_at = $6""";

    /** Before issue 15: one consent change (lock, append once per evidence, derive). */
    static final String LOCK_CONTACT = """
            insert into contact as c (phone, user_id, created_at, updated_at) values ($1, $2, $3, $3)
            on conflict (phone) do update set user_id = coalesce($2, c.user_id)""";
    static final String APPEND = """
            insert into consent_event (phone, status, scope, categories, source, actor, evidence, recorded_at)
            select $1, $2, $3, $4, $5, $6, $7, $8
            where $7::text is null or not exists (select 1 from consent_event e where e.phone = $1 and e.status = $2
                and e.scope = $3 and e.source = $5 and e.evidence = $7)
            returning id""";
    static final String DERIVE_ALL = """
            update contact set consent_status = $2, consent_categories = $3,
                marketing_opted_out = case when $2 = 'opted_in' and ($3::text[] is null or 'marketing' = any($3::text[]))
                    then false else marketing_opted_out end,
                updated_at = $4
            where phone = $1""";
    static final String DERIVE_MARKETING = """
            update contact set marketing_opted_out = ($2 = 'opted_out'), updated_at = $3 where phone = $1""";

    private static final String CONTACT = "select user_id, profile_name, consent_status, consent_categories, "
            + "marketing_opted_out, last_inbound_at, window_open_until, free_entry_point, last_activity_at, created_at, "
            + "updated_at from contact where phone = ?";
    private static final String WINDOWS = "select sender, last_inbound_at, window_open_until, free_entry_point, updated_at "
            + "from contact_window where phone = ? order by sender";
    private static final String TRAIL = "select status, scope, categories, source, actor, evidence, recorded_at "
            + "from consent_event where phone = ? order by id";

    @Inject
    ContactStore contacts;

    @Inject
    ContactResolver resolver;

    @Inject
    ConsentLedger ledger;

    @Inject
    Pool pool;

    @Test
    void aBatchOfInboundMessagesLeavesTheContactsAndWindowsThatRecordingThemOneByOneLeft() {
        long seed = seed();
        Random random = new Random(seed);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (int scenario = 0; scenario < 80; scenario++) {
            String one = freshPhone();
            String batch = freshPhone();
            arrangeContact(random, now, one, batch);
            List<ContactStore.Inbound> messages = new ArrayList<>();
            int n = 1 + random.nextInt(6);
            for (int i = 0; i < n; i++) {
                messages.add(inbound(random, now));
            }
            for (ContactStore.Inbound m : messages) {
                Instant inboundAt = m.openUntil() == null ? null : m.at();
                pool.preparedQuery(ONE_CONTACT).execute(Tuple.tuple().addString(one).addString(null)
                        .addString(m.profileName()).addOffsetDateTime(Times.utc(inboundAt))
                        .addOffsetDateTime(Times.utc(m.openUntil())).addBoolean(m.freeEntryPoint())
                        .addOffsetDateTime(Times.utc(now))).await().indefinitely();
                if (m.sender() != null && m.openUntil() != null) {
                    pool.preparedQuery(ONE_WINDOW).execute(Tuple.tuple().addString(one).addString(m.sender())
                            .addOffsetDateTime(Times.utc(m.at())).addOffsetDateTime(Times.utc(m.openUntil()))
                            .addBoolean(m.freeEntryPoint()).addOffsetDateTime(Times.utc(now))).await().indefinitely();
                }
            }
            // the contact is resolved first (made when new), then the batch is recorded on it
            pool.withTransaction(tx -> resolver.resolve(tx, new ContactResolver.Customer(batch, null), now)
                    .chain(contact -> contacts.recordInbound(tx, messages.stream().map(m -> new ContactStore.Inbound(
                            contact.id(), m.sender(), m.profileName(), m.at(), m.openUntil(), m.freeEntryPoint()))
                            .toList(), now)))
                    .await().indefinitely();

            String context = "seed " + seed + ", scenario " + scenario + ": " + messages;
            assertEquals(TestDb.row(CONTACT, one), TestDb.row(CONTACT, batch), context);
            assertEquals(TestDb.rows(WINDOWS, one), TestDb.rows(WINDOWS, batch), context);
        }
    }

    /**
     * The changes happen in time order here (a minute apart), where deriving by time and deriving by arrival
     * agree; ContactConsentTest covers changes that arrive out of order.
     */
    @Test
    void consentChangesRecordedTogetherOrOneByOneLeaveTheTrailAndStateOfTheOldStatements() {
        long seed = seed();
        Random random = new Random(seed);
        Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (int scenario = 0; scenario < 40; scenario++) {
            String reference = freshPhone();
            String together = freshPhone();
            String oneByOne = freshPhone();
            arrangeConsent(random, base, reference, together, oneByOne);
            List<ConsentChange> changes = new ArrayList<>();
            int n = 1 + random.nextInt(6);
            for (int i = 0; i < n; i++) {
                changes.add(change(random, base.plusSeconds(60L * i)));
            }
            int appended = 0;
            for (ConsentChange c : changes) {
                appended += recordTheOldWay(reference, c);
            }
            // the contact is resolved first (made when new, at the first change's time as the old lock made it)
            Instant first = changes.get(0).recordedAt();
            String togetherId = contactId(together, first);
            String oneByOneId = contactId(oneByOne, first);
            int recorded = pool.withTransaction(tx -> ledger.recordAll(tx, changes.stream()
                    .map(c -> on(togetherId, c)).toList())).await().indefinitely();
            int recordedOne = 0;
            for (ConsentChange c : changes) {
                recordedOne += pool.withTransaction(tx -> ledger.record(tx, on(oneByOneId, c))).await().indefinitely() ? 1
                        : 0;
            }

            String context = "seed " + seed + ", scenario " + scenario + ": " + changes;
            assertEquals(appended, recorded, context);
            assertEquals(appended, recordedOne, context);
            assertEquals(TestDb.row(CONTACT, reference), TestDb.row(CONTACT, together), context);
            assertEquals(TestDb.row(CONTACT, reference), TestDb.row(CONTACT, oneByOne), context);
            assertEquals(TestDb.rows(TRAIL, reference), TestDb.rows(TRAIL, together), context);
            assertEquals(TestDb.rows(TRAIL, reference), TestDb.rows(TRAIL, oneByOne), context);
        }
    }

    private String contactId(String phone, Instant at) {
        return pool.withTransaction(tx -> resolver.resolve(tx, new ContactResolver.Customer(phone, null), at))
                .await().indefinitely().id();
    }

    /** Random, printed with any failure; {@code -Dwagateway.test.seed=} replays one. */
    private static long seed() {
        return Long.getLong("wagateway.test.seed", System.nanoTime());
    }

    /** The same starting contact (and windows) on each phone: none, or one earlier messages left. */
    private static void arrangeContact(Random random, Instant now, String... phones) {
        if (random.nextInt(4) == 0) {
            return;
        }
        Instant windowOpenUntil = random.nextInt(5) == 0 ? null : now.plus(Duration.ofHours(random.nextInt(100) - 10));
        Instant lastInboundAt = windowOpenUntil == null ? null : now.minus(Duration.ofMinutes(random.nextInt(600)));
        boolean free = random.nextBoolean();
        String userId = random.nextBoolean() ? null : "US.old";
        String name = random.nextBoolean() ? null : "Old Name";
        Instant earlier = now.minus(Duration.ofDays(3));
        for (String phone : phones) {
            TestDb.update("insert into contact (phone, user_id, profile_name, last_inbound_at, window_open_until, "
                    + "free_entry_point, last_activity_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    phone, userId, name, ts(lastInboundAt), ts(windowOpenUntil), free, ts(lastInboundAt), ts(earlier),
                    ts(earlier));
        }
        for (String sender : List.of("main", "second")) {
            if (random.nextBoolean()) {
                continue;
            }
            Instant until = now.plus(Duration.ofHours(random.nextInt(100) - 10));
            Instant at = now.minus(Duration.ofMinutes(random.nextInt(600)));
            boolean senderFree = random.nextBoolean();
            for (String phone : phones) {
                TestDb.update("insert into contact_window (phone, sender, last_inbound_at, window_open_until, "
                        + "free_entry_point, updated_at) values (?, ?, ?, ?, ?, ?)", phone, sender, ts(at), ts(until),
                        senderFree, ts(earlier));
            }
        }
    }

    /** A message (phone left out): now give or take a day, a system notice now and then, a referral, three senders. */
    private static ContactStore.Inbound inbound(Random random, Instant now) {
        Instant at = now.plus(Duration.ofMinutes(random.nextInt(60 * 48) - 60 * 24));
        boolean system = random.nextInt(6) == 0;
        boolean free = random.nextInt(4) == 0;
        Instant openUntil = system ? null : at.plus(Duration.ofHours(free ? 72 : 24));
        String sender = switch (random.nextInt(6)) {
            case 0 -> null;
            case 1, 2 -> "second";
            default -> "main";
        };
        String name = random.nextInt(3) == 0 ? null : "Name " + random.nextInt(3);
        return new ContactStore.Inbound(null, sender, name, at, openUntil, free);
    }

    private static void arrangeConsent(Random random, Instant base, String... phones) {
        if (random.nextInt(3) == 0) {
            return;
        }
        boolean evidence = random.nextBoolean();
        // the state agrees with the trail: the ledger derives from the whole trail, by time
        String status = evidence ? "opted_out" : List.of("none", "opted_in", "opted_out").get(random.nextInt(3));
        boolean marketing = random.nextBoolean();
        String userId = random.nextBoolean() ? null : "US.old";
        for (String phone : phones) {
            TestDb.update("insert into contact (phone, user_id, consent_status, marketing_opted_out, created_at, updated_at) "
                    + "values (?, ?, ?, ?, ?, ?)", phone, userId, status, marketing, ts(base.minus(Duration.ofDays(3))),
                    ts(base.minus(Duration.ofDays(3))));
            if (evidence) { // a change already on record: the same evidence again is not appended
                TestDb.update("insert into consent_event (phone, status, scope, source, actor, evidence, recorded_at) "
                        + "values (?, 'opted_out', 'all', 'keyword', 'whatsapp', 'e1', ?)", phone, ts(base.minusSeconds(60)));
            }
        }
    }

    private static ConsentChange change(Random random, Instant at) {
        String status = random.nextBoolean() ? ConsentChange.OPTED_IN : ConsentChange.OPTED_OUT;
        boolean marketingOnly = random.nextInt(3) == 0;
        List<String> categories = marketingOnly ? null : switch (random.nextInt(5)) {
            case 0 -> List.of();
            case 1 -> List.of("marketing");
            case 2 -> List.of("utility");
            case 3 -> List.of("utility", "marketing");
            default -> null;
        };
        String source = random.nextBoolean() ? "keyword" : "api-test";
        String evidence = switch (random.nextInt(3)) {
            case 0 -> null;
            case 1 -> "e1";
            default -> "e2";
        };
        return new ConsentChange(null, status, marketingOnly ? ConsentChange.SCOPE_MARKETING : ConsentChange.SCOPE_ALL,
                categories, source, random.nextBoolean() ? "whatsapp" : "key", evidence, at);
    }

    private static ConsentChange on(String contactId, ConsentChange c) {
        return new ConsentChange(contactId, c.status(), c.scope(), c.categories(), c.source(), c.actor(), c.evidence(),
                c.recordedAt());
    }

    /** {@code ConsentLedger.record} before issue 15, in its own transaction. @return 1 when appended */
    private int recordTheOldWay(String phone, ConsentChange change) {
        var at = Times.utc(change.recordedAt());
        String[] categories = change.categories() == null ? null : change.categories().toArray(String[]::new);
        return pool.withTransaction(tx -> tx.preparedQuery(LOCK_CONTACT).execute(Tuple.of(phone, null, at))
                .chain(() -> tx.preparedQuery(APPEND).execute(Tuple.tuple().addString(phone).addString(change.status())
                        .addString(change.scope()).addArrayOfString(categories).addString(change.source())
                        .addString(change.actor()).addString(change.evidence()).addOffsetDateTime(at)))
                .chain(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().item(0);
                    }
                    var derive = ConsentChange.SCOPE_MARKETING.equals(change.scope())
                            ? tx.preparedQuery(DERIVE_MARKETING).execute(Tuple.of(phone, change.status(), at))
                            : tx.preparedQuery(DERIVE_ALL).execute(Tuple.tuple().addString(phone)
                                    .addString(change.status()).addArrayOfString(categories).addOffsetDateTime(at));
                    return derive.replaceWith(1);
                })).await().indefinitely();
    }

    private static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static String freshPhone() {
        return "+" + MetaWebhooks.freshWaId();
    }
}
