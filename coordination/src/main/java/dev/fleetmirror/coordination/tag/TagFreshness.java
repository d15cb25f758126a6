package dev.fleetmirror.coordination.tag;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;

/**
 * When each mirrored tag was last confirmed upstream, for the whole cluster, so that a tag is
 * re-checked upstream (one HEAD) at most once per {@code tagttl} however many members serve it.
 * A member that finds a tag stale takes a short claim on the check; members that find it stale
 * meanwhile wait for that check's outcome instead of asking the upstream too.
 *
 * <p>Methods block (on the network in a cluster, or waiting for another member's check): call
 * them on worker threads.
 */
public interface TagFreshness {

    /**
     * What to do about {@code tag} now: serve what is stored ({@link TagCheck.Fresh}), check it
     * upstream under the returned claim ({@link TagCheck.Due}), or decide alone because another
     * member's check did not end in time ({@link TagCheck.Pending}).
     */
    TagCheck check(RepositoryName repo, Tag tag);

    /**
     * The same for the referrers list of {@code subject} in a mirrored repository, which is
     * refreshed like a tag; the digest confirmed is that of the list's canonical index. Its entry
     * is apart from every tag's, the referrers tag schema's {@code <alg>-<hex>} tag included.
     */
    TagCheck referrers(RepositoryName repo, Digest subject);
}
