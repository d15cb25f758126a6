package dev.fleetmirror.core.manifest;

import java.util.Set;

/** Media types of the manifests this registry stores and of the content they reference. */
public final class MediaTypes {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** Schema 1 manifests are never accepted on PUT; the types only name ones found in old storage. */
    public static final String DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_MANIFEST_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

    /** Manifests that reference blobs (config and layers). */
    public static final Set<String> IMAGE_MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    /** Manifests that reference other manifests. */
    public static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
    /** Every manifest media type accepted on PUT. */
    public static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST);

    private MediaTypes() {
    }

    public static boolean isManifest(String mediaType) {
        return mediaType != null && MANIFESTS.contains(mediaType);
    }
}
