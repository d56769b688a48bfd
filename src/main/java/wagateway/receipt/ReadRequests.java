package wagateway.receipt;

import java.time.Clock;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.inbound.InboundMessages;
import wagateway.inbound.ReadState;
import wagateway.support.Ids;
import wagateway.wakeup.QueueSignal;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * Asks for the read receipt of an inbound message, once: the row becomes {@code pending} and the sender's
 * dispatcher sends it ({@link ReadReceipts}). No Cloud API call happens here, so neither the API nor the webhook
 * path ever waits on Meta, and a request survives a restart.
 */
@ApplicationScoped
public class ReadRequests {

    private final InboundMessages inbound;
    private final Pool pool;
    private final QueueSignal signal;
    private final Clock clock;

    ReadRequests(InboundMessages inbound, Pool pool, QueueSignal signal, Clock clock) {
        this.inbound = inbound;
        this.pool = pool;
        this.signal = signal;
        this.clock = clock;
    }

    /** What a request found: the message's read state, and whether this request is the one that asked. */
    public record Requested(ReadReceiptView view, boolean first) {
    }

    /**
     * @param key our inbound message id (a UUID) or the message's wamid
     * @throws ProblemException (in the Uni) 404 for an unknown message, 422 for one of ours or one that came to
     *         a business number no sender is configured for
     */
    public Uni<Requested> request(String key, boolean typing) {
        UUID id = Ids.parse(key);
        String wamid = id == null ? key : null;
        return inbound.requestRead(id, wamid, typing, clock.instant()).chain(requested -> {
            if (requested != null) {
                signal.accepted(); // committed: the sender's dispatcher may claim it now
                return Uni.createFrom().item(new Requested(view(requested), true));
            }
            return inbound.readState(id, wamid).chain(current -> {
                if (current != null) {
                    if (current.sender() == null) {
                        return Uni.createFrom().failure(unprocessable("no-sender", "Message " + key
                                + " came to a business number no configured sender uses: no read receipt can be sent for it"));
                    }
                    return Uni.createFrom().item(new Requested(view(current), false));
                }
                return pool.preparedQuery("select 1 from outbound_message where id = $1 or wamid = $2")
                        .execute(Tuple.tuple().addUUID(id).addString(wamid))
                        .chain(outbound -> Uni.createFrom().failure(outbound.iterator().hasNext()
                                ? unprocessable("not-inbound", "Message " + key
                                        + " is one the business sent; only a customer's message can be marked read")
                                : ProblemException.notFound("No inbound message " + key)));
            });
        });
    }

    private static ReadReceiptView view(ReadState state) {
        ReadReceiptView.Error error = "failed".equals(state.state())
                ? new ReadReceiptView.Error(state.errorCode(), state.errorTitle())
                : null;
        return new ReadReceiptView(state.id().toString(), state.wamid(), state.state(),
                state.readAt() == null ? null : state.readAt().toString(), state.typing(), error);
    }

    private static ProblemException unprocessable(String slug, String detail) {
        return new ProblemException(Problem.of(slug, "Unprocessable Content", 422, detail));
    }

}
