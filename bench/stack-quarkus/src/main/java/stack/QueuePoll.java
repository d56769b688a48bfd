package stack;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** A scheduled job reading through Hibernate Reactive, as the gateway's dispatcher poll reads its queue. */
@ApplicationScoped
public class QueuePoll {

    @Scheduled(every = "10s")
    @WithSession
    Uni<Void> poll() {
        return Message.count().replaceWithVoid();
    }
}
