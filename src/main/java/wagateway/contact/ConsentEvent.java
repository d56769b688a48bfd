package wagateway.contact;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One entry of the append-only consent audit trail; written only by {@link ConsentLedger}, never changed. */
@Entity
@Table(name = "consent_event")
@Immutable
public class ConsentEvent extends PanacheEntityBase {

    @Id
    public Long id;

    /** The contact's phone when the change was recorded; null for a contact without one. */
    public String phone;

    @Column(name = "contact_id")
    public String contactId;

    /** opted_in | opted_out */
    public String status;

    /** all | marketing */
    public String scope;

    @JdbcTypeCode(SqlTypes.ARRAY)
    public String[] categories;

    public String source;

    public String actor;

    public String evidence;

    @Column(name = "recorded_at")
    public Instant recordedAt;
}
