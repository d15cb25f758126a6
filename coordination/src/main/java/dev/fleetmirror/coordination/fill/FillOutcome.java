package dev.fleetmirror.coordination.fill;

/**
 * How a fill ended, remembered for a few seconds after its lease is given up so that the requests
 * that raced it (looked in storage before it stored, claimed after it ended) learn the answer from
 * the claim instead of asking storage or the upstream again.
 */
public enum FillOutcome {
    /** The blob's verified data is in storage (linked in the fill's repository). */
    STORED,
    /** The fill's upstream answered 404 for the blob in the fill's repository: nothing was stored. */
    MISSING
}
