package dev.fleetmirror.node.api;

import dev.fleetmirror.core.name.RepositoryName;
import java.util.Optional;

/**
 * Maps the repository a request names, with containerd's {@code ?ns=<registry host>} parameter
 * when present, to the repository the node serves: a mirror configured for that registry serves
 * it under its prefix, so requests by prefix and by {@code ns} share one cache.
 */
@FunctionalInterface
public interface NamespaceResolver {
    NamespaceResolver NONE = (repo, ns) -> repo;

    RepositoryName resolve(RepositoryName requested, Optional<String> ns);
}
