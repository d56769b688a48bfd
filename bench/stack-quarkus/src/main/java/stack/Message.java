package stack;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One Panache entity: enough for Hibernate Reactive to boot its persistence unit, as the gateway's do. */
@Entity
@Table(name = "stack_message")
public class Message extends PanacheEntityBase {
    @Id
    public UUID id;
    public String body;
    public Instant createdAt;
}
