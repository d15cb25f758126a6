package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.manifest.MediaTypes;

/** Every manifest type we store, so the upstream answers with its own bytes and never converts them. */
final class ManifestAccept {
    static final String VALUE = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);

    private ManifestAccept() {
    }
}
