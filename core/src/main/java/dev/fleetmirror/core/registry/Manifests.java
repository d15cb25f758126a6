package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import java.util.Optional;

/** Manifests of a repository, by tag or by digest. */
public interface Manifests {

    /** The manifest the reference points at in {@code repo}, or empty. */
    Optional<StoredManifest> get(RepositoryName repo, Reference reference);

    /**
     * Validates and stores a manifest; for a tag reference also points the tag at it.
     *
     * @param contentType the request's Content-Type; must agree with the manifest's mediaType field
     * @param body at most 4 MiB
     * @throws RegistryException MANIFEST_INVALID, MANIFEST_BLOB_UNKNOWN, DIGEST_INVALID (body does not
     *         hash to a digest reference), SIZE_INVALID (oversize)
     */
    ManifestPutResult put(RepositoryName repo, Reference reference, String contentType, byte[] body);

    /**
     * Stores a manifest fetched from an upstream registry, byte for byte, without requiring the
     * blobs and child manifests it references to be present: a pull-through cache stores a manifest
     * before its layers are pulled. The body is still parsed (it must be a manifest) and, for a
     * digest reference, must hash to it; for a tag reference the tag is pointed at it.
     *
     * @throws RegistryException MANIFEST_INVALID, DIGEST_INVALID
     */
    ManifestPutResult putFetched(RepositoryName repo, Reference reference, String contentType, byte[] body);

    /**
     * By digest: deletes the manifest from the repository and every tag pointing at it. By tag:
     * deletes the tag only.
     *
     * @throws RegistryException MANIFEST_UNKNOWN, UNSUPPORTED when deletes are disabled
     */
    void delete(RepositoryName repo, Reference reference);
}
