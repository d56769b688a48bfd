package wagateway.dispatch;

import java.time.Instant;

import wagateway.cloudapi.SendOutcome;

/** How one claimed message left the dispatcher's hands; recorded in one transaction per batch. */
public sealed interface Outcome {

    ClaimedMessage message();

    /** The Cloud API accepted it. {@code asTemplate}: the fallback template went. */
    record Sent(ClaimedMessage message, String wamid, boolean asTemplate) implements Outcome {
    }

    /** Try again at {@code at}; {@code countAttempt} false when the call never reached the API. */
    record Retry(ClaimedMessage message, Instant at, boolean countAttempt, Integer code, String title, String detail)
            implements
                Outcome {
    }

    /** Failed for good with the Cloud API's error. */
    record Failed(ClaimedMessage message, Integer code, String title, String detail, boolean fallbackSuggested)
            implements
                Outcome {
    }

    /** A rule said no ({@code rejected}), or the message outlived its expiry ({@code expired}). */
    record Rejected(ClaimedMessage message, String reason, boolean expired) implements Outcome {
    }

    /** Not yet: back to the queue until {@code at} (throttling, pair rate, messaging limit). */
    record Deferred(ClaimedMessage message, Instant at, String reason) implements Outcome {
    }

    static Failed failed(ClaimedMessage m, SendOutcome.Refused r, boolean fallbackSuggested) {
        return new Failed(m, r.code(), r.title(), r.details(), fallbackSuggested);
    }
}
