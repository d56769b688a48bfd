package wagateway.cloudapi;

/** What the Cloud API answered to one send, when it answered at all. */
public sealed interface SendOutcome {

    /** 200 with a wamid: accepted (delivery is reported later by webhooks). */
    record Accepted(String wamid, String messageStatus) implements SendOutcome {
    }

    /** An error answer about this message or this sender (not about the API's health). */
    record Refused(int httpStatus, Integer code, String title, String details) implements SendOutcome {
    }
}
