package wagateway.conversation;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One page of conversations, most recent activity first. */
@RegisterForReflection
public record ConversationPage(List<ConversationView> items, String nextCursor) {
}
