package dev.fleetmirror.coordination.tag;

import dev.fleetmirror.core.digest.Digest;
import java.util.Objects;

/** The answer of {@link TagFreshness#check}. */
public sealed interface TagCheck {

    /** A member confirmed upstream, less than the TTL ago, that the tag points at {@code digest}. */
    record Fresh(Digest digest) implements TagCheck {
        public Fresh {
            Objects.requireNonNull(digest, "digest");
        }
    }

    /** This member checks the tag upstream now, and reports the outcome through {@code claim}. */
    record Due(TagClaim claim) implements TagCheck {
        public Due {
            Objects.requireNonNull(claim, "claim");
        }
    }

    /**
     * Another member has been checking the tag for longer than this member waits: serve a stored
     * copy as it is, or check without a claim when there is none.
     */
    record Pending() implements TagCheck {
    }
}
