package wagateway.message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A message as the API shows it ({@code 202} on accept, {@code GET /v1/messages/{id}}, lists). */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageView(String id, String status, String reason, String to, String from, String type,
        String category, String priority, Map<String, Object> content, String replyTo, Boolean fallbackTemplate,
        Boolean sentFallbackTemplate, String callbackUrl, Map<String, String> metadata, Instant sendAt,
        Instant expiresAt, Instant createdAt, Instant updatedAt, Instant sentAt, String wamid, int attempts,
        ErrorView error, List<TimelineView> timeline) {

    /** The Cloud API error that failed the message. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ErrorView(Integer code, String title, String detail) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TimelineView(String status, Instant at, String source, ErrorView error, Map<String, Object> details) {
    }

    public static MessageView of(StoredMessage m, boolean withContent) {
        ErrorView error = m.errorCode() == null && m.errorTitle() == null ? null
                : new ErrorView(m.errorCode(), m.errorTitle(), m.errorDetail());
        List<TimelineView> timeline = null;
        if (m.timeline() != null) {
            timeline = new ArrayList<>();
            // acceptance is implied by the row itself rather than written twice
            timeline.add(new TimelineView(m.sendAt() != null && m.sendAt().isAfter(m.createdAt()) ? "scheduled" : "queued",
                    m.createdAt(), "api", null, null));
            for (StoredMessage.TimelineEntry e : m.timeline()) {
                ErrorView ev = e.errorCode() == null && e.errorTitle() == null ? null
                        : new ErrorView(e.errorCode(), e.errorTitle(), e.errorDetail());
                timeline.add(new TimelineView(e.status(), e.at(), e.source(), ev, e.details()));
            }
        }
        return new MessageView(m.id().toString(), m.status().value(), m.reason(), m.recipient(), m.sender(), m.type(),
                m.category(), m.priority().value(), withContent ? m.content() : null, m.replyTo(),
                m.hasFallback() ? Boolean.TRUE : null, m.sentTemplate() ? Boolean.TRUE : null, m.callbackUrl(),
                m.metadata(), m.sendAt(), m.expiresAt(), m.createdAt(), m.updatedAt(), m.sentAt(), m.wamid(),
                m.attempts(), error, timeline);
    }
}
