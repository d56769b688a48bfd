package wagateway.message;

import java.time.Instant;

import wagateway.policy.PolicyDecision;

/**
 * How one claimed message left the dispatcher's hands; recorded in one transaction per batch
 * ({@link OutboundQueue#record}). Each outcome says what it writes to its row ({@link #row}).
 */
public sealed interface Outcome {

    ClaimedMessage message();

    /** What this outcome writes to the row it settles. */
    SettleRow row();

    /** The Cloud API accepted it. {@code asTemplate}: the fallback template went. */
    record Sent(ClaimedMessage message, String wamid, boolean asTemplate) implements Outcome {
        @Override
        public SettleRow row() {
            return new SettleRow(MessageStatus.SENT, null, 1, null, null, null, null, wamid, asTemplate);
        }
    }

    /** Try again at {@code at}; {@code countAttempt} false when the call never reached the API. */
    record Retry(ClaimedMessage message, Instant at, boolean countAttempt, Integer code, String title, String detail)
            implements
                Outcome {
        @Override
        public SettleRow row() {
            return new SettleRow(MessageStatus.QUEUED, at, countAttempt ? 1 : 0, null, code, title, detail, null, false);
        }
    }

    /** Failed for good with the Cloud API's error. */
    record Failed(ClaimedMessage message, Integer code, String title, String detail, boolean fallbackSuggested)
            implements
                Outcome {
        @Override
        public SettleRow row() {
            return new SettleRow(MessageStatus.FAILED, null, 1, null, code, title, detail, null, false);
        }
    }

    /** A rule said no ({@code rejected}), or the message outlived its expiry ({@code expired}). */
    record Rejected(ClaimedMessage message, String reason, boolean expired) implements Outcome {
        @Override
        public SettleRow row() {
            return new SettleRow(expired ? MessageStatus.EXPIRED : MessageStatus.REJECTED, null, 0, reason, null,
                    null, null, null, false);
        }
    }

    /** Not yet: back to the queue until {@code at} (pair rate, messaging limit). */
    record Deferred(ClaimedMessage message, Instant at, String reason) implements Outcome {
        @Override
        public SettleRow row() {
            return new SettleRow(MessageStatus.QUEUED, at, 0, reason, null, null, null, null, false);
        }
    }

    /**
     * The columns an outcome sets on its {@code outbound_message} row.
     *
     * @param nextAttemptAt null keeps the row's due time
     * @param attempts attempts to add
     * @param wamid null keeps the row's
     * @param sentTemplate the fallback template went instead of the content
     */
    record SettleRow(MessageStatus status, Instant nextAttemptAt, int attempts, String reason, Integer errorCode,
            String errorTitle, String errorDetail, String wamid, boolean sentTemplate) {
    }

    /** A deferral or retry past the message's expiry ends it as {@code expired} now. */
    static Outcome expireIfLate(Outcome o) {
        Instant expiresAt = o.message().expiresAt();
        if (expiresAt == null) {
            return o;
        }
        if (o instanceof Deferred d && !d.at().isBefore(expiresAt)
                || o instanceof Retry r && !r.at().isBefore(expiresAt)) {
            return new Rejected(o.message(), PolicyDecision.Reasons.EXPIRED, true);
        }
        return o;
    }

    /** The Cloud API error code the outcome carries, if any. */
    static Integer errorCode(Outcome o) {
        return o instanceof Failed f ? f.code() : o instanceof Retry r ? r.code() : null;
    }
}
