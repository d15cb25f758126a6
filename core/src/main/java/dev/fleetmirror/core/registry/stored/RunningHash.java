package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.DigestAlgorithm;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * The SHA-256 of an upload so far, as a state that can be saved to storage after each request and
 * restored on any node, so completing a chunked upload never re-reads the data.
 *
 * <p>Saved states start with a marker of their own: Distribution saves Go's encoding under the same
 * file name, and restoring that as Bouncy Castle state would silently produce a wrong digest.
 */
final class RunningHash {
    private static final byte[] MARKER = {'f', 'm', 'b', 'c', 1};

    private final SHA256Digest digest;

    private RunningHash(SHA256Digest digest) {
        this.digest = digest;
    }

    static RunningHash start() {
        return new RunningHash(new SHA256Digest());
    }

    /** Restores a state saved by {@link #save()}; empty when it is not one. */
    static Optional<RunningHash> restore(byte[] saved) {
        if (saved.length <= MARKER.length || !Arrays.equals(saved, 0, MARKER.length, MARKER, 0, MARKER.length)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RunningHash(new SHA256Digest(Arrays.copyOfRange(saved, MARKER.length, saved.length))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    void update(byte[] bytes, int offset, int length) {
        digest.update(bytes, offset, length);
    }

    byte[] save() {
        byte[] state = digest.getEncodedState();
        byte[] saved = Arrays.copyOf(MARKER, MARKER.length + state.length);
        System.arraycopy(state, 0, saved, MARKER.length, state.length);
        return saved;
    }

    /** The digest of everything so far; the running state is left as it was. */
    Digest current() {
        SHA256Digest copy = new SHA256Digest(digest);
        byte[] out = new byte[copy.getDigestSize()];
        copy.doFinal(out, 0);
        return Digest.of(DigestAlgorithm.SHA256, out);
    }
}
