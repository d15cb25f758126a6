package dev.fleetmirror.core.registry;

/**
 * The registry services of one storage backend, grouped. The node's HTTP routes and, later, the
 * proxy decorators work against these interfaces only.
 */
public record Registry(Blobs blobs, Uploads uploads, Manifests manifests, Tags tags, Catalog catalog,
                       Referrers referrers) {
}
