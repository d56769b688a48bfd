package wagateway.message;

import java.util.Locale;
import java.util.Optional;

/**
 * The life of an outbound message (spec §2). Progress statuses only move forward ({@link #rank()});
 * terminal side exits end it. A late {@code delivered} after {@code read} changes nothing.
 */
public enum MessageStatus {
    SCHEDULED(0, false),
    QUEUED(1, false),
    SENDING(2, false),
    SENT(3, false),
    DELIVERED(4, false),
    READ(5, false),
    PLAYED(6, false),
    FAILED(10, true),
    REJECTED(10, true),
    EXPIRED(10, true),
    CANCELLED(10, true);

    private final int rank;
    private final boolean terminal;

    MessageStatus(int rank, boolean terminal) {
        this.rank = rank;
        this.terminal = terminal;
    }

    public int rank() {
        return rank;
    }

    /** Wire and database name: lower case. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether a Meta status may move a message from this status to {@code next}: forward only;
     * {@code failed} only before delivery; nothing leaves a terminal status.
     */
    public boolean canAdvanceTo(MessageStatus next) {
        if (terminal) {
            return false;
        }
        if (next == FAILED) {
            return rank < DELIVERED.rank;
        }
        return !next.terminal && next.rank > rank;
    }

    public static Optional<MessageStatus> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(value.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
