package wagateway.conversation;

import java.time.Instant;
import java.util.UUID;

/**
 * Keyset bounds over UUIDv7 ids, whose first 48 bits are the Unix time in milliseconds: "messages before this
 * time" becomes "id below this uuid", a range on an index the table already has. Compares as PostgreSQL
 * does (unsigned bytes), not as {@link UUID#compareTo} (signed longs).
 */
final class Uuid7Bounds {

    private Uuid7Bounds() {
    }

    /** The smallest uuid whose timestamp is {@code millis}. */
    static UUID floor(long millis) {
        return new UUID(millis << 16, 0L);
    }

    /** @return the exclusive upper bound of the ids whose (time, id) sorts below (at, id) */
    static UUID below(Instant at, UUID id) {
        long micros = Math.multiplyExact(at.getEpochSecond(), 1_000_000L) + at.getNano() / 1_000;
        if (Math.floorMod(micros, 1_000L) != 0) {
            // no id has this exact time: every id of an earlier millisecond, and none of a later one
            return floor(Math.floorDiv(micros, 1_000L) + 1);
        }
        long millis = micros / 1_000L;
        // ids of earlier milliseconds, and those of this millisecond that sort below the cursor's id
        return max(floor(millis), min(id, floor(millis + 1)));
    }

    /** The exclusive upper bound of the ids whose time is at most {@code at}. */
    static UUID atOrBefore(Instant at) {
        long micros = Math.multiplyExact(at.getEpochSecond(), 1_000_000L) + at.getNano() / 1_000;
        return floor(Math.floorDiv(micros, 1_000L) + 1);
    }

    static int compare(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    private static UUID max(UUID a, UUID b) {
        return compare(a, b) >= 0 ? a : b;
    }

    private static UUID min(UUID a, UUID b) {
        return compare(a, b) <= 0 ? a : b;
    }
}
