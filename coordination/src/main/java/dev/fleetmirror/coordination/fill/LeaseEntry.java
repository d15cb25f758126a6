package dev.fleetmirror.coordination.fill;

import dev.fleetmirror.core.digest.Digest;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The value of a fill lease in the cluster's map, as one string: Hazelcast stores and compares it
 * without any class of ours on its side, and a member of a later version can still read it. The
 * origin is percent-encoded and the peer URL comes last, because those are the fields that may
 * contain any character. Entries of version 1 (no origin) still decode, with an empty origin.
 *
 * <p>A fill in flight is written as version 2, which members of the previous release read too. The
 * outcome a fill leaves behind for a few seconds ({@link FillOutcome}) is version 3: a member that
 * cannot read it fails its claim and retries until the entry lapses, which is what it did before
 * outcomes were remembered.
 *
 * @param token   unique per claim, so that a lease can be renewed or removed only by the claim that made it
 * @param outcome how the fill ended, once it did (the entry then stands for no fill in flight)
 */
record LeaseEntry(String token, String owner, long size, Instant since, String origin, String peerUrl,
                  Optional<FillOutcome> outcome) {
    private static final String VERSION = "2";
    private static final String SETTLED_VERSION = "3";
    private static final String SEPARATOR = ";";

    LeaseEntry(String token, String owner, long size, Instant since, String origin, String peerUrl) {
        this(token, owner, size, since, origin, peerUrl, Optional.empty());
    }

    LeaseEntry {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(peerUrl, "peerUrl");
        if (token.contains(SEPARATOR) || owner.contains(SEPARATOR)) {
            throw new IllegalArgumentException("token and owner must not contain '" + SEPARATOR + "'");
        }
    }

    String encode() {
        if (outcome.isPresent()) {
            return String.join(SEPARATOR, SETTLED_VERSION, token, owner, Long.toString(size),
                    Long.toString(since.toEpochMilli()), URLEncoder.encode(origin, StandardCharsets.UTF_8),
                    outcome.get().name());
        }
        return String.join(SEPARATOR, VERSION, token, owner, Long.toString(size),
                Long.toString(since.toEpochMilli()), URLEncoder.encode(origin, StandardCharsets.UTF_8), peerUrl);
    }

    static LeaseEntry decode(String value) {
        if (value.startsWith("1" + SEPARATOR)) {
            String[] parts = value.split(SEPARATOR, 6);
            if (parts.length == 6) {
                return new LeaseEntry(parts[1], parts[2], Long.parseLong(parts[3]),
                        Instant.ofEpochMilli(Long.parseLong(parts[4])), "", parts[5]);
            }
        }
        String[] parts = value.split(SEPARATOR, 7);
        if (parts.length == 7 && parts[0].equals(SETTLED_VERSION)) {
            return new LeaseEntry(parts[1], parts[2], Long.parseLong(parts[3]),
                    Instant.ofEpochMilli(Long.parseLong(parts[4])), URLDecoder.decode(parts[5], StandardCharsets.UTF_8),
                    "", Optional.of(FillOutcome.valueOf(parts[6])));
        }
        if (parts.length != 7 || !parts[0].equals(VERSION)) {
            throw new IllegalArgumentException("not a fill lease entry: " + value);
        }
        return new LeaseEntry(parts[1], parts[2], Long.parseLong(parts[3]),
                Instant.ofEpochMilli(Long.parseLong(parts[4])), URLDecoder.decode(parts[5], StandardCharsets.UTF_8),
                parts[6]);
    }

    /** The token of an encoded entry, without decoding the rest. */
    static String tokenOf(String value) {
        int start = value.indexOf(SEPARATOR) + 1;
        int end = value.indexOf(SEPARATOR, start);
        return start > 0 && end > start ? value.substring(start, end) : "";
    }

    LeaseEntry withSize(long size) {
        return new LeaseEntry(token, owner, size, since, origin, peerUrl, outcome);
    }

    /** This claim's entry once the fill ended with {@code outcome}. */
    LeaseEntry settled(FillOutcome ended) {
        return new LeaseEntry(token, owner, size, since, origin, "", Optional.of(ended));
    }

    /** Whether the entry stands for a fill in flight (rather than the outcome of one that ended). */
    boolean filling() {
        return outcome.isEmpty();
    }

    /** What a claim of {@code claimOrigin} learns from this entry of an ended fill, if anything. */
    Optional<FillClaim.Settled> settledFor(String claimOrigin) {
        return outcome.filter(ended -> ended == FillOutcome.STORED || !origin.isEmpty() && origin.equals(claimOrigin))
                .map(ended -> new FillClaim.Settled(ended, origin));
    }

    FillHolder holder(Digest digest) {
        return new FillHolder(digest, owner, peerUrl, size, since, origin);
    }
}
