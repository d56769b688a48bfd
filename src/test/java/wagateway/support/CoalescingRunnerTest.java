package wagateway.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

import static org.assertj.core.api.Assertions.assertThat;

class CoalescingRunnerTest {

    final List<UniEmitter<? super Boolean>> pending = new ArrayList<>();
    final AtomicInteger runs = new AtomicInteger();
    final List<Throwable> failures = new ArrayList<>();
    final CoalescingRunner runner = new CoalescingRunner(() -> {
        runs.incrementAndGet();
        return Uni.createFrom().emitter(pending::add);
    }, failures::add, Runnable::run);

    void finishCurrent(boolean more) {
        pending.remove(0).complete(more);
    }

    @Test
    void requestsDuringARunMakeExactlyOneMoreRun() {
        runner.request();
        runner.request();
        runner.request();
        assertThat(runs).hasValue(1);
        assertThat(runner.running()).isTrue();
        finishCurrent(false);
        assertThat(runs).hasValue(2);
        finishCurrent(false);
        assertThat(runs).hasValue(2);
        assertThat(runner.running()).isFalse();
    }

    @Test
    void aRunThatSaysThereIsMoreRunsAgain() {
        runner.request();
        finishCurrent(true);
        assertThat(runs).hasValue(2);
        finishCurrent(false);
        assertThat(runner.running()).isFalse();
    }

    @Test
    void aFailedRunIsReportedAndARequestMadeDuringItStillRuns() {
        runner.request();
        runner.request();
        pending.remove(0).fail(new IllegalStateException("down"));
        assertThat(failures).hasSize(1);
        assertThat(runs).hasValue(2);
        finishCurrent(false);
        assertThat(runner.running()).isFalse();
    }

    @Test
    void aTaskThatThrowsIsAFailedRunNotALostRunner() {
        AtomicInteger calls = new AtomicInteger();
        List<Throwable> seen = new ArrayList<>();
        CoalescingRunner throwing = new CoalescingRunner(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
            return Uni.createFrom().item(false);
        }, seen::add, Runnable::run);
        throwing.request();
        assertThat(seen).hasSize(1);
        assertThat(throwing.running()).isFalse();
        throwing.request();
        assertThat(calls).hasValue(2);
    }
}
