package dev.fleetmirror.coordination.tag;

import dev.fleetmirror.core.digest.Digest;
import java.time.Duration;

/**
 * This member's turn to check one tag upstream. It lapses by itself after a short while, so a
 * member that dies mid-check holds nobody up for long. Report exactly one outcome; a second call
 * does nothing.
 */
public interface TagClaim extends AutoCloseable {

    /** A claim for a check nobody else waits on: reporting to it does nothing. */
    TagClaim NONE = new TagClaim() {
        @Override
        public void confirmed(Digest digest, Duration ttl) {
        }

        @Override
        public void abandoned() {
        }
    };

    /**
     * The upstream says the tag points at {@code digest}, and storage now holds that manifest
     * under the tag: every member serves it without asking for {@code ttl} (none when zero).
     */
    void confirmed(Digest digest, Duration ttl);

    /** No confirmation (the upstream failed, or has no such tag): the next member to ask checks again. */
    void abandoned();

    /** Abandons the claim unless an outcome was reported. */
    @Override
    default void close() {
        abandoned();
    }
}
