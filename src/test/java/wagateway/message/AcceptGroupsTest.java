package wagateway.message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import wagateway.support.Ids;
import wagateway.web.ProblemException;

import static org.assertj.core.api.Assertions.assertThat;

/** Group commit: many accepts, one lookup and one insert; each answered by its own row's fate. */
class AcceptGroupsTest {

    static NewMessage message(String to) {
        Instant now = Instant.now();
        return new NewMessage(Ids.next(), "key", null, null, "main", to, "text", "service", Priority.NORMAL,
                JsonNodeFactory.instance.objectNode().put("type", "text"), null, null, null, null, null, null, now);
    }

    /** An inserter whose calls complete when the test says. */
    final List<List<NewMessage>> inserts = new ArrayList<>();
    final List<UniEmitter<? super List<UUID>>> insertsOut = new ArrayList<>();
    final AtomicInteger wakes = new AtomicInteger();

    AcceptGroups groups(AcceptGroups.Rules rules) {
        return new AcceptGroups(rules, rows -> Uni.createFrom().emitter(e -> {
            inserts.add(rows);
            insertsOut.add(e);
        }), wakes::incrementAndGet);
    }

    static AcceptGroups.Rules refuse(String recipient) {
        return messages -> Uni.createFrom().item(messages.stream()
                .map(m -> m.recipient().equals(recipient) ? "opted_out" : (String) null).toList());
    }

    @Test
    void requestsArrivingWhileGroupsAreInTheDatabaseGoTogetherInTheNextGroup() {
        var groups = groups(refuse("nobody"));
        List<AcceptGroups.Result> results = new ArrayList<>();
        List<NewMessage> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            NewMessage m = message("+1555000" + i);
            sent.add(m);
            groups.submit(m).subscribe().with(results::add);
        }
        // two groups in flight (the first request each), the other ten wait together
        assertThat(inserts).hasSize(2);
        insertsOut.get(0).complete(inserts.get(0).stream().map(NewMessage::id).toList());
        assertThat(inserts).hasSize(3);
        assertThat(inserts.get(2)).hasSize(10);
        insertsOut.get(1).complete(inserts.get(1).stream().map(NewMessage::id).toList());
        insertsOut.get(2).complete(inserts.get(2).stream().map(NewMessage::id).toList());
        assertThat(results).hasSize(12).allMatch(r -> r instanceof AcceptGroups.Result.Inserted);
        assertThat(wakes).hasValue(3);
    }

    @Test
    void aRefusedMessageIsNotInsertedAndTheOthersAre() {
        var groups = groups(refuse("+2"));
        List<AcceptGroups.Result> first = new ArrayList<>();
        List<AcceptGroups.Result> refused = new ArrayList<>();
        List<AcceptGroups.Result> third = new ArrayList<>();
        groups.submit(message("+1")).subscribe().with(first::add);
        groups.submit(message("+0")).subscribe().with(first::add);
        groups.submit(message("+2")).subscribe().with(refused::add);
        groups.submit(message("+3")).subscribe().with(third::add);
        insertsOut.get(0).complete(inserts.get(0).stream().map(NewMessage::id).toList());
        // the waiting pair went as one group: +2 refused by the rules, only +3 inserted
        assertThat(inserts.get(2)).extracting(NewMessage::recipient).containsExactly("+3");
        assertThat(refused).containsExactly(new AcceptGroups.Result.Refused("opted_out"));
        insertsOut.get(2).complete(inserts.get(2).stream().map(NewMessage::id).toList());
        assertThat(third).containsExactly(new AcceptGroups.Result.Inserted());
    }

    @Test
    void aRowLeftOutByTheInsertHadItsIdempotencyKeyTaken() {
        var groups = groups(refuse("nobody"));
        List<AcceptGroups.Result> results = new ArrayList<>();
        groups.submit(message("+1")).subscribe().with(results::add);
        insertsOut.get(0).complete(List.of());
        assertThat(results).containsExactly(new AcceptGroups.Result.KeyTaken());
        assertThat(wakes).hasValue(0);
    }

    @Test
    void aGroupTheDatabaseRefusesIsRetriedRowByRowSoOnlyTheBadRowFails() {
        var groups = groups(refuse("nobody"));
        List<Object> good = new ArrayList<>();
        List<Object> bad = new ArrayList<>();
        groups.submit(message("+1")).subscribe().with(good::add, good::add);
        groups.submit(message("+2")).subscribe().with(good::add, good::add);
        groups.submit(message("+3")).subscribe().with(good::add, good::add);
        groups.submit(message("+bad")).subscribe().with(bad::add, bad::add);
        insertsOut.get(0).complete(inserts.get(0).stream().map(NewMessage::id).toList());
        insertsOut.get(1).complete(inserts.get(1).stream().map(NewMessage::id).toList());
        // the group of the two that waited fails whole; then each row goes alone
        assertThat(inserts.get(2)).extracting(NewMessage::recipient).containsExactly("+3", "+bad");
        insertsOut.get(2).fail(new IllegalStateException("invalid input"));
        assertThat(inserts.get(3)).extracting(NewMessage::recipient).containsExactly("+3");
        insertsOut.get(3).complete(inserts.get(3).stream().map(NewMessage::id).toList());
        assertThat(inserts.get(4)).extracting(NewMessage::recipient).containsExactly("+bad");
        insertsOut.get(4).fail(new IllegalStateException("invalid input"));
        assertThat(good).hasSize(3).allMatch(r -> r instanceof AcceptGroups.Result.Inserted);
        assertThat(bad).singleElement().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void whenTooManyWaitTheNextIsRefusedAtOnceWithA503() {
        var groups = groups(refuse("nobody"));
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < AcceptGroups.MAX_WAITING + AcceptGroups.MAX_IN_FLIGHT; i++) {
            groups.submit(message("+1")).subscribe().with(r -> {
            }, failures::add);
        }
        assertThat(failures).isEmpty();
        groups.submit(message("+1")).subscribe().with(r -> {
        }, failures::add);
        assertThat(failures).singleElement().isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.problem().getStatus()).isEqualTo(503));
    }
}
