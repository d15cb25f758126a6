/**
 * Garbage collection over a {@code StorageDriver}: what the node's scheduler and the offline
 * {@code fleetmirror gc} command run.
 */
package dev.fleetmirror.gc;
