package wagateway.throttle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rule 3 as Meta meters it: arrivals at the API per one-second window. Pure: time is passed in as nanoseconds,
 * and "the API" is each departure plus a delay whose variation stays within the margin.
 */
class SendPacerTest {

    static final long MS = 1_000_000L;
    static final long SECOND = 1_000 * MS;
    static final Duration MARGIN = Duration.ofMillis(40);
    static final Duration LOOKAHEAD = Duration.ofMillis(250);

    /** Departures as a sender loop makes them: every send that asks departs as soon as the pacer lets it. */
    static List<Long> departures(SendPacer pacer, long until, Random random) {
        List<Long> out = new ArrayList<>();
        long now = 0;
        while (now < until) {
            long wait = pacer.depart(now);
            if (wait == 0) {
                out.add(now);
            } else {
                // the timer fires late by up to 10 ms (a busy event loop)
                now += wait + random.nextInt(10) * MS;
            }
        }
        return out;
    }

    @Test
    void sendsDepartAtTheSustainedRateOnceTheSmallBurstIsSpent() {
        var pacer = new SendPacer(80, MARGIN);
        assertThat(pacer.interval()).isEqualTo(Duration.ofNanos(1_040_000_000L / 80));
        // a fiftieth of a second's worth, at least 4, at once, then one per interval
        for (int i = 0; i < 4; i++) {
            assertThat(pacer.depart(0)).isZero();
        }
        long wait = pacer.depart(0);
        assertThat(wait).isEqualTo(1_040_000_000L / 80);
        assertThat(pacer.depart(wait)).isZero();
        assertThat(pacer.depart(wait)).isPositive();
    }

    @Test
    void aLateTimerNeverLetsMoreThanTheSmallBurstOutAtOnce() {
        var pacer = new SendPacer(1000, MARGIN);
        pacer.depart(0);
        int out = 0;
        // nothing departs for half a second, then everything asks at once
        while (pacer.depart(500 * MS) == 0) {
            out++;
        }
        assertThat(out).isEqualTo(20);
    }

    @Test
    void theLimitDepartedWithinOneSecondPlusTheMarginWaitForTheOldestToLeaveIt() {
        var pacer = new SendPacer(3, MARGIN);
        long spacing = pacer.interval().toNanos();
        assertThat(pacer.depart(0)).isZero();
        assertThat(pacer.depart(0)).isZero();
        assertThat(pacer.depart(spacing)).isZero();
        // three within the window: the fourth waits until the first leaves it, tokens or not
        assertThat(pacer.depart(3 * spacing)).isEqualTo(SECOND + MARGIN.toNanos() - 3 * spacing);
        assertThat(pacer.depart(SECOND + MARGIN.toNanos())).isZero();
    }

    @Test
    void plansWhatCanDepartWithinTheLookahead() {
        var pacer = new SendPacer(10, Duration.ZERO);
        // one per 100 ms at the sustained rate: now, +100, +200 fall within 250 ms
        assertThat(pacer.available(LOOKAHEAD, 0)).isEqualTo(3);
        assertThat(pacer.available(LOOKAHEAD, 3)).isZero();
        assertThat(pacer.untilAvailable(LOOKAHEAD, 3)).isEqualTo(100 * MS);
        assertThat(pacer.available(LOOKAHEAD, 2)).isEqualTo(1);
    }

    @Test
    void sustainsAtLeastNinetyFivePercentOfTheLimitThroughLateTimers() {
        for (int limit : new int[] { 20, 80, 1000 }) {
            var pacer = new SendPacer(limit, MARGIN);
            List<Long> out = departures(pacer, 20 * SECOND, new Random(limit));
            assertThat(out.size()).as("limit %d", limit).isGreaterThanOrEqualTo((int) (0.95 * limit * 20));
            assertThat(maxInWindow(out, SECOND + MARGIN.toNanos())).as("limit %d", limit).isLessThanOrEqualTo(limit);
        }
    }

    @Test
    void arrivalsStayWithinTheLimitWhileTheirDelayVariesByLessThanTheMargin() {
        for (int limit : new int[] { 20, 80, 1000 }) {
            var pacer = new SendPacer(limit, MARGIN);
            Random random = new Random(limit);
            List<Long> arrivals = new ArrayList<>();
            for (long departure : departures(pacer, 20 * SECOND, random)) {
                arrivals.add(departure + 150 * MS + (long) (random.nextDouble() * MARGIN.toNanos()));
            }
            assertThat(maxInWindow(arrivals, SECOND)).as("limit %d", limit).isLessThanOrEqualTo(limit);
        }
    }

    /** The most instants in any half-open window of {@code width} nanoseconds. */
    static int maxInWindow(List<Long> instants, long width) {
        List<Long> sorted = new ArrayList<>(instants);
        sorted.sort(null);
        int max = 0;
        int from = 0;
        for (int to = 0; to < sorted.size(); to++) {
            while (sorted.get(from) + width <= sorted.get(to)) {
                from++;
            }
            max = Math.max(max, to - from + 1);
        }
        return max;
    }
}
