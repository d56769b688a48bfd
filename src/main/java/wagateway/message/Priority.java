package wagateway.message;

import java.util.Locale;
import java.util.Optional;

/** Order among due messages of a saturated sender: high first. Stored as 2 / 1 / 0. */
public enum Priority {
    LOW(0),
    NORMAL(1),
    HIGH(2);

    private final int rank;

    Priority(int rank) {
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Priority> parse(String value) {
        if (value == null) {
            return Optional.of(NORMAL);
        }
        for (Priority p : values()) {
            if (p.value().equals(value)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public static Priority ofRank(int rank) {
        for (Priority p : values()) {
            if (p.rank == rank) {
                return p;
            }
        }
        return NORMAL;
    }
}
