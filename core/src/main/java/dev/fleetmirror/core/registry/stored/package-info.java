/**
 * The registry services stored on any {@link dev.fleetmirror.core.storage.StorageDriver}, in
 * Distribution's layout ({@link dev.fleetmirror.core.storage.StoragePaths}): blob data once under
 * {@code blobs/}, made visible per repository by link files holding the digest string; upload data
 * kept in storage so any node can continue an upload; a small referrers index of our own under
 * {@code /fleetmirror/}. Nothing here needs state between calls, which is what lets many nodes
 * share one bucket; the one thing kept is a node-local cache of running upload hashes, which only
 * saves a re-read. Obtain the services through
 * {@link StoredRegistry#create}.
 */
package dev.fleetmirror.core.registry.stored;
