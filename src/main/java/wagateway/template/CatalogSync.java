package wagateway.template;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** When an account's catalogue was last read whole from the Graph API; no row: never. */
@Entity
@Table(name = "template_catalog")
@Immutable
public class CatalogSync extends PanacheEntityBase {

    @Id
    @Column(name = "waba_id")
    public String wabaId;

    @Column(name = "synced_at")
    public Instant syncedAt;
}
