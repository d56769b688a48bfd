package wagateway.cloudapi;

import static wagateway.cloudapi.MetaErrorCodes.MARKETING_STOPPED;
import static wagateway.cloudapi.MetaErrorCodes.PAIR_RATE_LIMIT;
import static wagateway.cloudapi.MetaErrorCodes.REENGAGEMENT;
import static wagateway.cloudapi.MetaErrorCodes.UNDELIVERABLE;

/**
 * What to do about a Cloud API error code (../shared/reference/cloud-api.md §2). Pure. Codes decide,
 * not HTTP statuses, which Meta varies.
 */
public final class ErrorClassifier {

    /** The action the caller takes. */
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

    private ErrorClassifier() {
    }

    public static Disposition classify(Integer code, int httpStatus) {
        if (code == null) {
            // no Meta error body: judge by the status (a proxy or load balancer answered)
            return httpStatus >= 500 || httpStatus == 429 || httpStatus == 408 ? Disposition.TRANSIENT
                    : Disposition.PERMANENT;
        }
        if (code == PAIR_RATE_LIMIT) {
            return Disposition.PAIR_RATE;
        }
        if (MetaErrorCodes.TRANSIENT.contains(code)) {
            return Disposition.TRANSIENT;
        }
        if (MetaErrorCodes.AUTH.contains(code)) {
            return Disposition.AUTH;
        }
        if (code == REENGAGEMENT) {
            return Disposition.WINDOW_CLOSED;
        }
        if (code == MARKETING_STOPPED) {
            return Disposition.MARKETING_OPT_OUT;
        }
        if (code == UNDELIVERABLE) {
            return Disposition.UNDELIVERABLE;
        }
        return Disposition.PERMANENT;
    }

    /** Whether the sender's token was refused (190 / 0): its loop pauses, whatever was being sent. */
    public static boolean authRefused(Integer code) {
        return code != null && classify(code, 401) == Disposition.AUTH;
    }

    /** Failures a journey engine could route to SMS or email instead. */
    public static boolean fallbackSuggested(Integer code) {
        return code != null && (code == UNDELIVERABLE || code == REENGAGEMENT);
    }
}
