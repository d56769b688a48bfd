package wagateway.throttle;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import wagateway.throttle.MessagingLimit.Candidate;
import wagateway.throttle.MessagingLimit.Usage;

import static org.assertj.core.api.Assertions.assertThat;

/** Rule 5 as a pure budget: distinct recipients of business-initiated messages in a rolling 24 h. */
class MessagingLimitAllocationTest {

    static final Instant OLDEST = Instant.parse("2026-12-06T09:00:00Z");

    static boolean[] allowed(long cap, Usage usage, Candidate... candidates) {
        return MessagingLimit.allocate(cap, usage, List.of(candidates)).allowed();
    }

    @Test
    void newRecipientsTakeRoomWhileThereIsSomeAndTheRestWaitForTheOldestReachToLeave() {
        var allocation = MessagingLimit.allocate(3, new Usage(1, OLDEST, Set.of()), List.of(
                new Candidate("+1", true), new Candidate("+2", true), new Candidate("+3", true)));
        assertThat(allocation.allowed()).containsExactly(true, true, false);
        assertThat(allocation.freesAt()).isEqualTo(OLDEST.plus(MessagingLimit.WINDOW));
        assertThat(allocation.reach()).containsExactly("+1", "+2");
    }

    @Test
    void recipientsAlreadyReachedCostNothingAndAreRefreshed() {
        var allocation = MessagingLimit.allocate(1, new Usage(1, OLDEST, Set.of("+1")), List.of(
                new Candidate("+1", true), new Candidate("+2", true)));
        assertThat(allocation.allowed()).containsExactly(true, false);
        assertThat(allocation.reach()).containsExactly("+1");
    }

    @Test
    void repliesNeverCountNorTakeRoom() {
        assertThat(allowed(0, new Usage(5, OLDEST, Set.of()), new Candidate("+1", false), new Candidate("+2", false)))
                .containsExactly(true, true);
        var allocation = MessagingLimit.allocate(1, new Usage(0, OLDEST, Set.of()), List.of(
                new Candidate("+1", false), new Candidate("+2", true)));
        assertThat(allocation.allowed()).containsExactly(true, true);
        assertThat(allocation.reach()).containsExactly("+2");
    }

    @Test
    void twoMessagesToOneNewRecipientTakeOnePlace() {
        var allocation = MessagingLimit.allocate(1, new Usage(0, OLDEST, Set.of()), List.of(
                new Candidate("+1", true), new Candidate("+1", true), new Candidate("+2", true)));
        assertThat(allocation.allowed()).containsExactly(true, true, false);
        assertThat(allocation.reach()).containsExactly("+1");
    }
}
