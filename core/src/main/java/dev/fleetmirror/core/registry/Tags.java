package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import java.util.Optional;

/** Tag listing of a repository. */
public interface Tags {

    /**
     * Tags in lexical order, after {@code last} when given, at most {@code limit} of them.
     *
     * @throws RegistryException NAME_UNKNOWN when nothing is stored under the repository's name
     */
    Page<Tag> list(RepositoryName repo, int limit, Optional<String> last);
}
