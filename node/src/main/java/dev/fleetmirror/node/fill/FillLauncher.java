package dev.fleetmirror.node.fill;

import dev.fleetmirror.node.upstream.Route;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;

/**
 * Starts the fills of this member: a spool every local client of the blob reads, fed by a
 * {@link FillFeeder} from the upstream (when this member wins the blob's cluster lease, and then
 * also stored) or from the member that holds the lease. Called by the local in-flight registry for
 * the first local request of a blob only.
 */
public final class FillLauncher {
    private final FillSources sources;

    public FillLauncher(FillSources sources) {
        this.sources = sources;
    }

    /** Starts the fill and returns at once. Blocks briefly (creates the spool file). */
    public Fill start(Route route, RepositoryName repo, Digest digest) {
        Fill fill = new Fill(digest, Spool.create(sources.spoolDirectory()), route.origin());
        new FillFeeder(fill, route, repo, sources).start();
        return fill;
    }
}
