package dev.fleetmirror.coordination.fill;

/** The answer to a claim of a fill: this member won it, or another member holds it. */
public sealed interface FillClaim {

    record Won(FillLease lease) implements FillClaim {
    }

    record Held(FillHolder holder) implements FillClaim {
    }
}
