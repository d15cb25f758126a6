package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.name.RepositoryName;
import java.util.Optional;

/** The list of repositories ({@code GET /v2/_catalog}). */
public interface Catalog {

    /** Repositories in lexical order, after {@code last} when given, at most {@code limit}. */
    Page<RepositoryName> list(int limit, Optional<String> last);
}
