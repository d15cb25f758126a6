package dev.fleetmirror.core.registry;

/**
 * The registry services of one storage backend, grouped. The node's HTTP routes and the
 * pull-through cache's decorators work against these interfaces only; the stored implementation
 * is {@code registry.stored.StoredRegistry}.
 */
public record Registry(Blobs blobs, Uploads uploads, Manifests manifests, Tags tags, Catalog catalog,
                       Referrers referrers) {
}
