package wagateway.conversation;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One page of a thread, newest first, with the contact; pass {@code nextCursor} as {@code after} for older ones. */
@RegisterForReflection
public record ThreadPage(ContactSummary contact, List<ThreadItem> items, String nextCursor) {
}
