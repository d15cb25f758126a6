package dev.fleetmirror.coordination.fill;

/**
 * The answer to a claim of a fill: this member won it, another member holds it, or a fill ended a
 * moment ago and its outcome is still remembered ({@link FillLeases#REMEMBERED}).
 */
public sealed interface FillClaim {

    record Won(FillLease lease) implements FillClaim {
    }

    record Held(FillHolder holder) implements FillClaim {
    }

    /**
     * A fill of the blob ended with {@code outcome} a moment ago. A {@link FillOutcome#MISSING} is only
     * ever answered to a claim of the same origin (another repository may well have the blob);
     * {@link FillOutcome#STORED} to any claim, naming the origin it was stored for.
     */
    record Settled(FillOutcome outcome, String origin) implements FillClaim {
        /** Whether a request of {@code origin} may use the outcome without asking its own upstream. */
        public boolean sameOrigin(String origin) {
            return !this.origin.isEmpty() && this.origin.equals(origin);
        }
    }
}
