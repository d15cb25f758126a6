package dev.fleetmirror.node.proxy;

import dev.fleetmirror.node.upstream.UpstreamCaller;

/** Where a mirrored repository comes from: the upstream, and the repository's name there. */
public record Route(UpstreamCaller upstream, String remoteName) {
}
