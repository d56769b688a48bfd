package wagateway.sandbox;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Cloud API errors the sandbox answers, with Meta's codes, titles, HTTP statuses and details
 * (../shared/reference/cloud-api.md §2). Clients must branch on {@code code}, never on the HTTP status or
 * the text: Meta's HTTP status for throttling varies, the sandbox answers 429.
 */
public final class GraphErrors {

    /** Codes Meta reports with a {@code failed} status webhook after accepting the message. */
    static final Set<Integer> ASYNC_CODES = Set.of(131026, 131047, 131050);

    private GraphErrors() {
    }

    static GraphError invalidToken() {
        return new GraphError(401, 190, "Invalid OAuth access token", "Invalid OAuth access token - Cannot parse access token",
                "OAuthException", null, "The access token is not valid for this phone number", false);
    }

    /** Meta's answer for a phone-number id that does not exist or that the token may not use. */
    static GraphError unknownObject(String id) {
        return new GraphError(400, 100, "Invalid parameter", "Unsupported post request. Object with ID '" + id
                + "' does not exist, cannot be loaded due to missing permissions, or does not support this operation. "
                + "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
                "GraphMethodException", 33, "Unknown phone number id " + id, false);
    }

    /** Meta's answer for a media id that does not exist (any more) or that this token may not read. */
    static GraphError unknownMedia(String verb, String id) {
        return new GraphError(400, 100, "Invalid parameter", "Unsupported " + verb + " request. Object with ID '" + id
                + "' does not exist, cannot be loaded due to missing permissions, or does not support this operation. "
                + "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
                "GraphMethodException", 33, "Unknown media id " + id, false);
    }

    /** 131053: media that cannot be uploaded or fetched (wrong type, too large, unknown id). */
    static GraphError mediaError(String details) {
        return GraphError.of(400, 131053, "Media upload error", details);
    }

    static GraphError requiredParameter(String name) {
        return new GraphError(400, 100, "Invalid parameter", "(#100) The parameter " + name + " is required.",
                "OAuthException", null, "The parameter " + name + " is required", false);
    }

    static GraphError invalidParameter(String details) {
        return GraphError.of(400, 100, "Invalid parameter", details);
    }

    static GraphError missingParameter(String details) {
        return GraphError.of(400, 131008, "Required parameter is missing", details);
    }

    static GraphError invalidValue(String details) {
        return GraphError.of(400, 131009, "Parameter value is not valid", details);
    }

    static GraphError throughput() {
        return GraphError.of(429, 130429, "Rate limit hit",
                "Message failed to send because there were too many messages sent from this phone number in a short period of time");
    }

    static GraphError pairRate() {
        return GraphError.of(429, 131056, "(Business Account, Consumer Account) pair rate limit hit",
                "Message failed to send because there were too many messages sent from this phone number to the same "
                        + "phone number in a short period of time");
    }

    static GraphError reEngagement() {
        return GraphError.asyncOf(131047, "Re-engagement message",
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.");
    }

    /** A message type Meta does not deliver to a business-scoped user id (authentication templates). */
    static GraphError userIdRecipientNotSupported() {
        return GraphError.of(400, 131062, "Business-scoped User ID recipients are not supported for this message",
                "Send this message to the user's phone number.");
    }

    static GraphError undeliverable() {
        return GraphError.asyncOf(131026, "Message undeliverable",
                "Message Undeliverable: the recipient is not a WhatsApp user or cannot receive this message.");
    }

    static GraphError marketingOptOut() {
        return GraphError.asyncOf(131050, "Unable to deliver the message. This recipient has chosen to stop receiving "
                + "marketing messages on WhatsApp from your business",
                "The recipient stopped marketing messages from this business.");
    }

    static GraphError templateNotFound(String name, String language) {
        return GraphError.of(404, 132001, "Template name does not exist in the translation",
                "template name (" + name + ") does not exist in " + language);
    }

    static GraphError templatePaused(String name) {
        return GraphError.of(400, 132015, "Template is paused", "template (" + name + ") is paused for low quality");
    }

    static GraphError templateDisabled(String name) {
        return GraphError.of(400, 132016, "Template is disabled", "template (" + name + ") was disabled for low quality");
    }

    static GraphError parameterCount(String details) {
        return GraphError.of(400, 132000, "Number of parameters does not match the expected number of params", details);
    }

    static GraphError parameterFormat(String details) {
        return GraphError.of(400, 132012, "Parameter format does not match format in the created template", details);
    }

    static GraphError somethingWentWrong() {
        return GraphError.of(500, 131000, "Something went wrong", "Something went wrong");
    }

    static GraphError serviceUnavailable() {
        return GraphError.of(503, 131016, "Service unavailable", "A service is temporarily unavailable.");
    }

    /** A bare HTTP 5xx as Meta's front ends answer it: code 1 for 500, code 2 for the other 5xx. */
    static GraphError serverError(int httpStatus) {
        return httpStatus == 500
                ? GraphError.of(500, 1, "An unknown error occurred", "An unknown error occurred")
                : GraphError.of(httpStatus, 2, "Service temporarily unavailable", "Service temporarily unavailable");
    }

    private static final Map<String, GraphError> INJECTABLE = Map.ofEntries(
            Map.entry("190", invalidToken()),
            Map.entry("130429", throughput()),
            Map.entry("131056", pairRate()),
            Map.entry("131000", somethingWentWrong()),
            Map.entry("131016", serviceUnavailable()),
            Map.entry("131026", undeliverable()),
            Map.entry("131047", reEngagement()),
            Map.entry("131050", marketingOptOut()),
            Map.entry("132001", templateNotFound("<injected>", "<injected>")),
            Map.entry("500", serverError(500)),
            Map.entry("502", serverError(502)),
            Map.entry("503", serverError(503)),
            Map.entry("504", serverError(504)));

    /** The error a fault-injection key stands for: a Cloud API code or an HTTP 5xx status. */
    static Optional<GraphError> injectable(String key) {
        return Optional.ofNullable(INJECTABLE.get(key));
    }

    static Set<String> injectableKeys() {
        return INJECTABLE.keySet();
    }
}
