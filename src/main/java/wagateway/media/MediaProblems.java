package wagateway.media;

import java.util.concurrent.TimeoutException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import wagateway.cloudapi.MetaErrorCodes;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * The problems media requests answer, and how the Cloud API's answers map to them: the caller learns whether
 * the media is gone (410), our side is misconfigured (502 with an auth detail) or the Cloud API is unwell
 * (502 / 503 breaker open / 504 timeout).
 */
final class MediaProblems {

    private MediaProblems() {
    }

    static ProblemException gone(String detail) {
        return new ProblemException(Problem.of("media-gone", "Gone", 410, detail));
    }

    static ProblemException notFound(String mediaId) {
        return new ProblemException(Problem.of("not-found", "Not Found", 404, "No media " + mediaId
                + " is known: neither uploaded through this gateway nor received from a customer"));
    }

    /** A Graph answer below 500 that is not a success, for a media id we know. */
    static ProblemException fromGraph(GraphReply reply, String action) {
        Integer code = reply.errorCode();
        if (isAuth(reply)) {
            return new ProblemException(Problem.of("cloud-api-auth", "Bad Gateway", 502, "The Cloud API refused the "
                    + "sender's access token while trying to " + action + " (code " + code
                    + "): check gateway.senders.*.access-token")
                    .with("cloudApiCode", code));
        }
        if (reply.status() == 404 || reply.status() == 410
                || code != null && (code == MetaErrorCodes.INVALID_PARAMETER || code == MetaErrorCodes.MEDIA_NOT_FOUND)) {
            return gone("The Cloud API no longer has this media (it expires 7 days after a customer sent it, 30 days "
                    + "after upload, or was deleted): " + reply.errorMessage());
        }
        return new ProblemException(Problem.of("cloud-api-error", "Bad Gateway", 502, "The Cloud API refused to " + action
                + ": " + reply.errorMessage()).with("cloudApiCode", code));
    }

    static boolean isAuth(GraphReply reply) {
        Integer code = reply.errorCode();
        return reply.status() == 401 || reply.status() == 403 || code != null && code == MetaErrorCodes.ACCESS_TOKEN;
    }

    /** A failed call: breaker open, timeout, 5xx, connection trouble. */
    static ProblemException fromFailure(Throwable failure) {
        if (failure instanceof ProblemException problem) {
            return problem;
        }
        if (failure instanceof CircuitBreakerOpenException) {
            return new ProblemException(Problem.of("cloud-api-unavailable", "Service Unavailable", 503,
                    "The Cloud API failed repeatedly; media calls are paused for a few seconds (circuit breaker open)"));
        }
        if (failure instanceof TimeoutException
                || failure instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException
                || failure.getClass().getSimpleName().contains("Timeout")) {
            return new ProblemException(Problem.of("cloud-api-timeout", "Gateway Timeout", 504,
                    "The Cloud API did not answer in time"));
        }
        if (failure instanceof GraphUnavailableException unavailable) {
            return new ProblemException(Problem.of("cloud-api-unavailable", "Bad Gateway", 502,
                    "The Cloud API answered HTTP " + unavailable.status));
        }
        return new ProblemException(Problem.of("cloud-api-unreachable", "Bad Gateway", 502,
                "The Cloud API could not be reached: " + failure.getClass().getSimpleName()));
    }
}
