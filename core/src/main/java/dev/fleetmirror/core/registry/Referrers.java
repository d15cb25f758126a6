package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.name.RepositoryName;
import java.util.List;
import java.util.Optional;

/** The referrers API: manifests in a repository whose {@code subject} is a given digest. */
public interface Referrers {

    /**
     * Descriptors of the referrers of {@code subject} in {@code repo} (each with the referrer's
     * artifactType, or its config media type, and its annotations), filtered by artifactType when
     * given. An unknown subject yields an empty list.
     */
    List<Descriptor> list(RepositoryName repo, Digest subject, Optional<String> artifactType);
}
