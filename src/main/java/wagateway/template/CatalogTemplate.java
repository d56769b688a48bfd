package wagateway.template;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * One template of one WhatsApp Business Account in one language, as the catalogue holds it. Read through Panache
 * (the API, and each replica's in-memory copy, {@link TemplateCatalog}); written by SQL in {@link CatalogStore},
 * in the same transaction as the {@code template.status} events its changes cause, as {@code contact} is.
 */
@Entity
@Table(name = "message_template")
@IdClass(CatalogTemplate.Key.class)
@Immutable
public class CatalogTemplate extends PanacheEntityBase {

    @Id
    @Column(name = "waba_id")
    public String wabaId;

    @Id
    public String name;

    @Id
    public String language;

    @Column(name = "meta_id")
    public String metaId;

    /** Meta's status, upper case: APPROVED, PENDING, REJECTED, PAUSED, DISABLED… */
    public String status;

    /** utility | marketing | authentication */
    public String category;

    /** GREEN | YELLOW | RED | UNKNOWN, or null when Meta gave none. */
    public String quality;

    /** positional | named */
    @Column(name = "parameter_format")
    public String parameterFormat;

    /** Meta's components array, as JSON text. */
    public String components;

    @Column(name = "updated_at")
    public Instant updatedAt;

    /** When a PAUSED template unpauses (its pause webhook's FIRST_PAUSE / SECOND_PAUSE); null: no end known. */
    @Column(name = "paused_until")
    public Instant pausedUntil;

    /** The composite primary key. */
    public static class Key implements Serializable {
        public String wabaId;
        public String name;
        public String language;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(wabaId, k.wabaId) && Objects.equals(name, k.name)
                    && Objects.equals(language, k.language);
        }

        @Override
        public int hashCode() {
            return Objects.hash(wabaId, name, language);
        }
    }
}
