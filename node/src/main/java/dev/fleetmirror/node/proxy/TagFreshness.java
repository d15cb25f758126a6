package dev.fleetmirror.node.proxy;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;

/**
 * When each mirrored tag was last confirmed upstream, so it is re-checked at most once per
 * {@code tagttl}. One node keeps it in memory ({@link LocalTagFreshness}); a cluster shares it.
 */
public interface TagFreshness {

    /** True when the tag was confirmed less than the TTL ago. */
    boolean fresh(RepositoryName repo, Tag tag);

    void confirmed(RepositoryName repo, Tag tag);
}
