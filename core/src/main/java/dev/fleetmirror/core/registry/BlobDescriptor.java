package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.digest.Digest;

/** A stored blob: its digest and size in bytes. */
public record BlobDescriptor(Digest digest, long size) {
}
