package dev.fleetmirror.node.upstream;


/** Where a mirrored repository comes from: the upstream, and the repository's name there. */
public record Route(UpstreamCaller upstream, String remoteName) {

    /**
     * What a fill through this route is fetched for: requests of the same origin may share it
     * freely, others only once their own upstream confirmed the blob (see {@code ProxyBlobs}).
     */
    public String origin() {
        return upstream.name() + ":" + remoteName;
    }
}
