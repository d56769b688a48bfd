package wagateway.conversation;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One message of a thread, either direction. Fields that do not apply to a direction are left out.
 *
 * @param at the time the thread is ordered by: accept time (outbound), Meta's timestamp (inbound)
 * @param content the Cloud API message object
 * @param context what the message replies to
 * @param status outbound only; likewise {@code error}, {@code createdAt}, {@code sentAt}, {@code sentTemplate}
 * @param timestamp inbound only (Meta's timestamp); likewise {@code readAt}
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ThreadItem(UUID id, String direction, Instant at, String type, Map<String, Object> content,
        String status, String wamid, Error error, Context context, Instant createdAt, Instant sentAt,
        Boolean sentTemplate, Instant timestamp, Instant readAt) {

    /** The Cloud API's error for a failed outbound message. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(Integer code, String title, String detail) {
    }

    /**
     * The quoted message.
     *
     * @param messageId our id of it (outbound or inbound), when the gateway knows that wamid
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Context(String wamid, UUID messageId) {
    }
}
