package dev.fleetmirror.core.name;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.InvalidDigestException;

/** What follows {@code /manifests/} in a URL: a tag or a digest. */
public sealed interface Reference permits Tag, Reference.ByDigest {

    /** A reference by content digest. */
    record ByDigest(Digest digest) implements Reference {
        @Override
        public String toString() {
            return digest.toString();
        }
    }

    /**
     * Parses a reference: anything containing ':' must be a valid digest, anything else a valid tag.
     *
     * @throws InvalidDigestException for a malformed digest
     * @throws InvalidNameException for a malformed tag
     */
    static Reference parse(String value) {
        if (value != null && value.indexOf(':') >= 0) {
            return new ByDigest(Digest.parse(value));
        }
        return new Tag(value);
    }

    static Reference of(Digest digest) {
        return new ByDigest(digest);
    }
}
