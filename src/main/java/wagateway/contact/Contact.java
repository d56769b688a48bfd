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

/**
 * A customer as the gateway knows them: identity, consent state (derived from the {@link ConsentEvent} trail
 * by {@link ConsentLedger}) and customer-service window. Read-only here: writes go through SQL inside the
 * transactions that cause them ({@link ConsentLedger}, {@link ContactStore}).
 */
@Entity
@Table(name = "contact")
@Immutable
public class Contact extends PanacheEntityBase {

    /** The gateway's id: {@code c_} and 32 hex digits. */
    @Id
    public String id;

    /** E.164 with '+'; null for a customer known only by business-scoped user id. */
    public String phone;

    /** The customer's WhatsApp username, when a webhook carried one (display only). */
    public String username;

    /** Business-scoped user id, when a webhook carried one. */
    @Column(name = "user_id")
    public String userId;

    @Column(name = "profile_name")
    public String profileName;

    /** none | opted_in | opted_out */
    @Column(name = "consent_status")
    public String consentStatus;

    @Column(name = "consent_categories")
    @JdbcTypeCode(SqlTypes.ARRAY)
    public String[] consentCategories;

    @Column(name = "marketing_opted_out")
    public boolean marketingOptedOut;

    @Column(name = "last_inbound_at")
    public Instant lastInboundAt;

    @Column(name = "window_open_until")
    public Instant windowOpenUntil;

    @Column(name = "free_entry_point")
    public boolean freeEntryPoint;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
