package wagateway.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import wagateway.config.GatewayConfig;
import wagateway.event.CallbackDispatcher;
import wagateway.inbound.InboundMessages;
import wagateway.message.OutboundQueue;
import wagateway.throttle.SenderLeases;
import wagateway.webhook.WebhookApplier;
import wagateway.webhook.WebhookInbox;

/**
 * {@code gateway.dispatch.mode=drain}: one dispatcher run that ends, for a Kubernetes CronJob or a Knative job. It
 * uses the loop's own parts, not a copy of them:
 * <ol>
 * <li>applies pending webhooks ({@link WebhookApplier#applyPending}: statuses and customer messages first, since
 * they open windows and record opt-outs the rules read);</li>
 * <li>takes the leases of the senders no live replica holds ({@link MessageDispatcher#beginDrain}); a sender a
 * running loop holds is skipped and logged, so a sender is still driven by one process at a time and a drain beside
 * a loop adds no duplicate beyond rule 7's window;</li>
 * <li>lets those senders' {@link SenderLoop}s send (claim, rules, pacer, record: the loop's code) until nothing of
 * theirs is due now and nothing is in flight;</li>
 * <li>applies the webhooks that came in meanwhile, delivers every callback due now
 * ({@link CallbackDispatcher#deliverAllDueNow}), and goes round again while anything became due;</li>
 * <li>gives the leases back and exits with one line counting what was left: what waits for a later time (a
 * scheduled send, the pair interval, the messaging limit, a retry's back-off, callbacks and webhooks in
 * back-off) is not due, and is for the next run.</li>
 * </ol>
 * When {@code gateway.dispatch.drain-budget} runs out first, it stops claiming, lets the batches in flight finish
 * and be recorded, gives the leases back and exits with the work left logged. A budget spent is not a crash: the
 * exit code is {@value #EXIT_DONE} either way, so a CronJob's next run goes on where this one stopped (a non-zero
 * code would make the Job retry at once and count a failure). {@value #EXIT_FAILED} means the run itself failed
 * (the database was unreachable, say); its leases then expire on their own.
 */
@ApplicationScoped
public class DrainRun {

    static final int EXIT_DONE = 0;
    static final int EXIT_FAILED = 1;

    /** How often the run looks whether its senders are done. */
    static final Duration CHECK_EVERY = Duration.ofMillis(100);

    /** How a phase ended. */
    private enum Phase {
        WORKING,
        DONE,
        BUDGET_SPENT
    }

    private final MessageDispatcher dispatcher;
    private final OutboundQueue queue;
    private final InboundMessages inbound;
    private final WebhookApplier webhooks;
    private final WebhookInbox inbox;
    private final CallbackDispatcher callbacks;
    private final GatewayConfig config;
    private final Clock clock;
    /** The senders this run took. */
    private final AtomicReference<List<String>> drained = new AtomicReference<>(List.of());

    DrainRun(MessageDispatcher dispatcher, OutboundQueue queue, InboundMessages inbound, WebhookApplier webhooks,
            WebhookInbox inbox, CallbackDispatcher callbacks, GatewayConfig config, Clock clock) {
        this.dispatcher = dispatcher;
        this.queue = queue;
        this.inbound = inbound;
        this.webhooks = webhooks;
        this.inbox = inbox;
        this.callbacks = callbacks;
        this.config = config;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.dispatch().enabled() || config.dispatch().mode() != GatewayConfig.Mode.DRAIN) {
            return;
        }
        Duration budget = config.dispatch().drainBudget();
        long deadline = System.nanoTime() + budget.toNanos();
        Log.infof("Drain run %s started (budget %s)", dispatcher.owner(), budget);
        // the root of the run: it ends the process either way
        run(deadline).subscribe().with(Quarkus::asyncExit, failure -> {
            Log.errorf(failure, "Drain run failed; exiting %d (its leases expire on their own)", EXIT_FAILED);
            Quarkus.asyncExit(EXIT_FAILED);
        });
    }

    Uni<Integer> run(long deadline) {
        return within(webhooks.applyPending(), deadline)
                .chain(applied -> dispatcher.beginDrain().invoke(this::taken).replaceWith(applied))
                .chain(applied -> applied == Phase.DONE ? rounds(deadline) : Uni.createFrom().item(applied))
                .chain(this::finish);
    }

    private void taken(Map<String, SenderLeases.Held> held) {
        List<String> taken = held.keySet().stream().sorted().toList();
        drained.set(taken);
        for (String sender : skipped()) {
            Log.infof("Sender %s is skipped: a live replica holds its lease and drives it", sender);
        }
        Log.infof("Draining sender(s) %s", taken);
    }

    /** Sends, applies webhooks and delivers callbacks until nothing is due now, or the budget runs out. */
    private Uni<Phase> rounds(long deadline) {
        return sendUntilNothingDue(deadline)
                .chain(sent -> sent != Phase.DONE ? Uni.createFrom().item(sent)
                        : within(webhooks.applyPending(), deadline))
                .chain(applied -> applied != Phase.DONE ? Uni.createFrom().item(applied)
                        : within(callbacks.deliverAllDueNow(), deadline))
                .chain(delivered -> delivered != Phase.DONE ? Uni.createFrom().item(delivered)
                        : somethingDue().chain(due -> due ? rounds(deadline) : Uni.createFrom().item(Phase.DONE)));
    }

    /** Waits until the drained senders are idle with nothing due (their loops are woken by the poll). */
    private Uni<Phase> sendUntilNothingDue(long deadline) {
        return Multi.createFrom().ticks().every(CHECK_EVERY).onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> System.nanoTime() - deadline >= 0
                        ? Uni.createFrom().item(Phase.BUDGET_SPENT)
                        : sendersDone().map(done -> done ? Phase.DONE : Phase.WORKING))
                .select().where(phase -> phase != Phase.WORKING).toUni();
    }

    /** No batch under way, no message or read receipt of an unpaused drained sender due or out. */
    private Uni<Boolean> sendersDone() {
        if (!dispatcher.idle()) {
            return Uni.createFrom().item(false);
        }
        List<String> senders = dispatcher.sendingSenders();
        if (senders.isEmpty()) {
            return Uni.createFrom().item(true);
        }
        Instant now = clock.instant();
        return queue.backlog(senders, now).chain(backlog -> backlog.due() > 0 || backlog.sending() > 0
                ? Uni.createFrom().item(false)
                : inbound.receiptsDue(senders, now).map(due -> due == 0));
    }

    /** Whether messages, read receipts or webhooks became due while the last round ran. */
    private Uni<Boolean> somethingDue() {
        return sendersDone().chain(done -> !done ? Uni.createFrom().item(true)
                : inbox.waiting(clock.instant()).map(w -> w.due() > 0));
    }

    /** Gives the leases back (once batches in flight are recorded), logs the exit line, picks the exit code. */
    private Uni<Integer> finish(Phase phase) {
        dispatcher.stop();
        return dispatcher.release().chain(released -> {
            Instant now = clock.instant();
            return Uni.combine().all().unis(queue.backlog(drained.get(), now), queue.backlog(skipped(), now),
                    inbound.receiptsDue(drained.get(), now), inbox.waiting(now), callbacks.pending()).asTuple()
                    .map(left -> {
                        String line = exitLine(phase, left.getItem1(), left.getItem2(), left.getItem3(),
                                left.getItem4(), left.getItem5());
                        if (phase == Phase.DONE) {
                            Log.info(line);
                        } else {
                            Log.warn(line);
                        }
                        return EXIT_DONE;
                    });
        });
    }

    private String exitLine(Phase phase, OutboundQueue.Backlog mine, OutboundQueue.Backlog skipped, long receiptsDue,
            WebhookInbox.Waiting webhooksLeft, long callbacksPending) {
        StringBuilder line = new StringBuilder("Drain run exits ").append(EXIT_DONE).append(": ");
        if (phase == Phase.DONE) {
            line.append("nothing due now");
            if (mine.due() > 0) {
                // a sender whose token was refused is paused: its messages wait for the pause to end
                List<String> paused = new ArrayList<>(drained.get());
                paused.removeAll(dispatcher.sendingSenders());
                line.append(" but ").append(mine.due()).append(paused.isEmpty() ? " message(s) that came due since"
                        : " message(s) of paused sender(s) " + paused);
            }
        } else {
            line.append("budget ").append(config.dispatch().drainBudget()).append(" spent; left due now: ")
                    .append(mine.due() + mine.sending()).append(" message(s), ").append(receiptsDue)
                    .append(" read receipt(s), ").append(webhooksLeft.due()).append(" webhook(s)");
        }
        line.append("; waiting: ").append(mine.scheduledLater()).append(" scheduled for later, ")
                .append(mine.pairInterval()).append(" for the pair interval, ").append(mine.messagingLimit())
                .append(" for the messaging limit, ").append(mine.retryBackoff()).append(" in retry back-off, ")
                .append(callbacksPending).append(" callback(s) ")
                .append(phase == Phase.DONE ? "in back-off" : "pending").append(", ").append(webhooksLeft.backoff())
                .append(" webhook(s) in back-off");
        List<String> skippedSenders = skipped();
        if (!skippedSenders.isEmpty()) {
            line.append("; skipped sender(s) ").append(skippedSenders).append(" (a live replica drives them): ")
                    .append(skipped.due() + skipped.waiting()).append(" message(s) queued");
        }
        return line.toString();
    }

    /** The configured senders this run did not take. */
    private List<String> skipped() {
        List<String> skipped = new ArrayList<>(config.senderNames());
        skipped.removeAll(drained.get());
        skipped.sort(null);
        return skipped;
    }

    /** {@code work} within the budget: DONE when it ended, BUDGET_SPENT when the budget ran out first. */
    private static Uni<Phase> within(Uni<?> work, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return Uni.createFrom().item(Phase.BUDGET_SPENT);
        }
        return work.replaceWith(Phase.DONE).ifNoItem().after(Duration.ofNanos(left))
                .recoverWithItem(Phase.BUDGET_SPENT);
    }
}
