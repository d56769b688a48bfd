package wagateway.support;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Instants as the PostgreSQL client binds {@code timestamptz}: an offset date-time in UTC. */
public final class Times {

    private Times() {
    }

    /** @return {@code instant} at UTC, or null for null (a nullable column) */
    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** @return the instant of a nullable {@code timestamptz} value */
    public static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
