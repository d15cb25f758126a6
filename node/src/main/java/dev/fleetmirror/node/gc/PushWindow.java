package dev.fleetmirror.node.gc;

import dev.fleetmirror.coordination.gc.PushedBlobs;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * What the push API tells clients about blobs, as the GC must know it ({@code gc.pushwindow}): a
 * blob a HEAD found, an upload stored or a mount linked in a repository clients push to is kept by
 * every GC for the window after, so the manifest that names it finds it (GC-PROTOCOL.md, "Pushes in
 * flight"). Mirrored repositories take no pushes, and their pulls are not recorded.
 *
 * <p>Each call may wait on the cluster: call it on a worker, before the client is answered.
 */
public final class PushWindow {
    private final PushedBlobs pushed;
    private final Duration window;
    private final Predicate<RepositoryName> mirrored;

    public PushWindow(PushedBlobs pushed, Duration window, Predicate<RepositoryName> mirrored) {
        this.pushed = pushed;
        this.window = window;
        this.mirrored = mirrored;
    }

    /** Records nothing: for a registry served without a GC (tests of other parts). */
    public static PushWindow untracked() {
        return new PushWindow(new dev.fleetmirror.coordination.gc.LocalPushedBlobs(java.time.Clock.systemUTC()),
                Duration.ZERO, repo -> true);
    }

    /**
     * A HEAD of {@code blob} in {@code repo} is about to look it up; recorded before the lookup, so
     * that either the sweep sees the record or this sees the blob doomed.
     *
     * @return false when a sweep is deleting the blob: answer that it is unknown (the client uploads it)
     */
    public boolean mayConfirm(RepositoryName repo, Digest blob) {
        return mirrored.test(repo) || pushed.told(blob, window);
    }

    /** An upload of {@code blob} was stored, or a mount linked it, in {@code repo}: held under its write permit. */
    public void stored(RepositoryName repo, Digest blob) {
        if (!mirrored.test(repo)) {
            pushed.told(blob, window);
        }
    }
}
