package wagateway.dispatch;

import java.util.Set;

/**
 * What to do about a Cloud API error code (../shared/reference/cloud-api.md §2). Pure. Codes decide,
 * not HTTP statuses, which Meta varies.
 */
public final class SendErrorClassifier {

    /** The action the dispatcher takes. */
    public enum Disposition {
        /** Retry with backoff within the message's expiry. */
        TRANSIENT,
        /** Pair rate to one recipient: retry that message after the pair interval; others are unaffected. */
        PAIR_RATE,
        /** Fail at once with the code. */
        PERMANENT,
        /** Fail at once; another channel could reach the customer ({@code fallbackSuggested}). */
        UNDELIVERABLE,
        /** 131047: the window is closed after all; close it in our records, then the fallback template or fail. */
        WINDOW_CLOSED,
        /** 131050: the customer stopped marketing; record a marketing opt-out and fail. */
        MARKETING_OPT_OUT,
        /** 190 / 0: the sender's token is bad; pause the sender, keep its queue. */
        AUTH
    }

    static final Set<Integer> TRANSIENT_CODES = Set.of(1, 2, 4, 80007, 130429, 131000, 131016, 131057);
    static final Set<Integer> AUTH_CODES = Set.of(0, 190);

    private SendErrorClassifier() {
    }

    public static Disposition classify(Integer code, int httpStatus) {
        if (code == null) {
            // no Meta error body: judge by the status (a proxy or load balancer answered)
            return httpStatus >= 500 || httpStatus == 429 || httpStatus == 408 ? Disposition.TRANSIENT : Disposition.PERMANENT;
        }
        if (code == 131056) {
            return Disposition.PAIR_RATE;
        }
        if (TRANSIENT_CODES.contains(code)) {
            return Disposition.TRANSIENT;
        }
        if (AUTH_CODES.contains(code)) {
            return Disposition.AUTH;
        }
        if (code == 131047) {
            return Disposition.WINDOW_CLOSED;
        }
        if (code == 131050) {
            return Disposition.MARKETING_OPT_OUT;
        }
        if (code == 131026) {
            return Disposition.UNDELIVERABLE;
        }
        return Disposition.PERMANENT;
    }

    /** Failures a journey engine could route to SMS or email instead. */
    public static boolean fallbackSuggested(Integer code) {
        return code != null && (code == 131026 || code == 131047);
    }
}
