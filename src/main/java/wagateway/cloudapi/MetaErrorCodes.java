package wagateway.cloudapi;

import java.util.Set;

/**
 * The Graph / Cloud API error codes the gateway acts on (../shared/reference/cloud-api.md §2), by name. Logic
 * is built on these codes, never on HTTP statuses, which Meta varies.
 */
public final class MetaErrorCodes {

    /** Access token expired or revoked (with {@link #AUTH_UNKNOWN}: pause the sender). */
    public static final int ACCESS_TOKEN = 190;
    /** An authentication failure without a more precise code. */
    public static final int AUTH_UNKNOWN = 0;
    /** Temporary API errors. */
    public static final int API_UNKNOWN = 1;
    public static final int API_SERVICE = 2;
    public static final int API_TOO_MANY_CALLS = 4;
    public static final int RATE_LIMIT_HIT = 80007;
    /** Too many messages from this phone number (throughput). */
    public static final int THROUGHPUT_LIMIT = 130429;
    public static final int SOMETHING_WENT_WRONG = 131000;
    public static final int SERVICE_UNAVAILABLE = 131016;
    public static final int ACCOUNT_IN_MAINTENANCE = 131057;
    /** Too many messages to one recipient in a short time (pair rate). */
    public static final int PAIR_RATE_LIMIT = 131056;
    /** Re-engagement: more than 24 h since the customer last wrote (the window is closed). */
    public static final int REENGAGEMENT = 131047;
    /** The customer stopped marketing messages from this business. */
    public static final int MARKETING_STOPPED = 131050;
    /** Message undeliverable (not a WhatsApp user, an old app, ...). */
    public static final int UNDELIVERABLE = 131026;
    /** A media id that does not exist or belongs to another number. */
    public static final int MEDIA_NOT_FOUND = 131053;
    /** An invalid parameter, or an object that does not exist. */
    public static final int INVALID_PARAMETER = 100;

    /** Worth a retry with back-off. */
    public static final Set<Integer> TRANSIENT = Set.of(API_UNKNOWN, API_SERVICE, API_TOO_MANY_CALLS,
            RATE_LIMIT_HIT, THROUGHPUT_LIMIT, SOMETHING_WENT_WRONG, SERVICE_UNAVAILABLE, ACCOUNT_IN_MAINTENANCE);
    /** The sender's token is refused. */
    public static final Set<Integer> AUTH = Set.of(AUTH_UNKNOWN, ACCESS_TOKEN);
    /** The API's own health (the circuit breaker counts these), as opposed to a message's. */
    public static final Set<Integer> SERVICE = Set.of(API_UNKNOWN, API_SERVICE, SOMETHING_WENT_WRONG,
            SERVICE_UNAVAILABLE, ACCOUNT_IN_MAINTENANCE);

    private MetaErrorCodes() {
    }
}
