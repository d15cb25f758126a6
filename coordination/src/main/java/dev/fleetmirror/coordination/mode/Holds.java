package dev.fleetmirror.coordination.mode;

/**
 * Writes held while the cluster was read-only for a GC, summed over members.
 *
 * @param held          writes that waited and then went ahead
 * @param refused       writes that waited past {@code gc.maxhold} and were refused
 * @param longestMillis the longest wait of any of them
 * @param waiting       writes waiting right now
 */
public record Holds(long held, long refused, long longestMillis, int waiting) implements java.io.Serializable {
    public static final Holds NONE = new Holds(0, 0, 0, 0);

    public Holds plus(Holds other) {
        return new Holds(held + other.held, refused + other.refused, Math.max(longestMillis, other.longestMillis),
                waiting + other.waiting);
    }
}
