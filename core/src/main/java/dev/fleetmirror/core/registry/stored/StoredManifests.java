package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.DigestAlgorithm;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.manifest.DescriptorJson;
import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.manifest.ParsedManifest;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.registry.ManifestPutResult;
import dev.fleetmirror.core.registry.Manifests;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.registry.StoredManifest;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.util.Map;
import java.util.Optional;

/**
 * Manifests stored as blobs, made visible in a repository by a revision link and named by tag
 * links, exactly as Distribution stores them.
 */
final class StoredManifests implements Manifests {
    private final StorageDriver driver;
    private final RegistrySettings settings;
    private final StoredBlobs blobs;
    private final LinkFiles links;
    private final StoredTags tags;

    StoredManifests(StorageDriver driver, RegistrySettings settings, StoredBlobs blobs, StoredTags tags) {
        this.driver = driver;
        this.settings = settings;
        this.blobs = blobs;
        this.tags = tags;
        this.links = new LinkFiles(driver);
    }

    @Override
    public Optional<StoredManifest> get(RepositoryName repo, Reference reference) {
        Optional<Digest> digest = reference instanceof Tag tag
                ? links.read(StoragePaths.tagCurrentLink(repo, tag))
                : Optional.of(((Reference.ByDigest) reference).digest());
        return digest.flatMap(d -> byDigest(repo, d));
    }

    private Optional<StoredManifest> byDigest(RepositoryName repo, Digest digest) {
        if (!links.exists(StoragePaths.revisionLink(repo, digest))) {
            return Optional.empty();
        }
        byte[] content;
        try {
            content = driver.getContent(StoragePaths.blobData(digest));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
        return Optional.of(new StoredManifest(digest, ManifestParser.detectMediaType(content), content));
    }

    @Override
    public ManifestPutResult put(RepositoryName repo, Reference reference, String contentType, byte[] body) {
        ParsedManifest manifest = ManifestParser.parse(contentType, body);
        Digest digest = digestOf(reference, body);
        requireReferencedContent(repo, manifest);
        return store(repo, reference, manifest, digest, body);
    }

    @Override
    public ManifestPutResult putFetched(RepositoryName repo, Reference reference, String contentType, byte[] body) {
        ParsedManifest manifest = ManifestParser.parse(contentType, body);
        Digest digest = digestOf(reference, body);
        return store(repo, reference, manifest, digest, body);
    }

    private ManifestPutResult store(RepositoryName repo, Reference reference, ParsedManifest manifest, Digest digest,
                                    byte[] body) {
        if (blobs.statData(digest).isEmpty()) {
            driver.putContent(StoragePaths.blobData(digest), body);
        }
        links.write(StoragePaths.revisionLink(repo, digest), digest);
        if (reference instanceof Tag tag) {
            links.write(StoragePaths.tagIndexLink(repo, tag, digest), digest);
            links.write(StoragePaths.tagCurrentLink(repo, tag), digest);
        }
        Optional<Digest> subject = manifest.subject().map(Descriptor::digest);
        subject.ifPresent(s -> driver.putContent(StoragePaths.referrerEntry(repo, s, digest),
                DescriptorJson.write(new Descriptor(manifest.mediaType(), digest, body.length,
                        manifest.artifactType().orElse(null), manifest.annotations()))));
        return new ManifestPutResult(digest, subject);
    }

    private static Digest digestOf(Reference reference, byte[] body) {
        if (reference instanceof Reference.ByDigest byDigest) {
            Digest actual = Digest.compute(byDigest.digest().algorithm(), body);
            if (!actual.equals(byDigest.digest())) {
                throw new RegistryException(ErrorCode.DIGEST_INVALID, "the manifest body has digest " + actual
                        + ", not the " + byDigest.digest() + " it was pushed as",
                        Map.of("expected", byDigest.digest().toString(), "actual", actual.toString()));
            }
            return actual;
        }
        return Digest.compute(DigestAlgorithm.SHA256, body);
    }

    /** Blobs must be linked in this repository and index children stored in it, or the manifest is refused. */
    private void requireReferencedContent(RepositoryName repo, ParsedManifest manifest) {
        for (Descriptor blob : manifest.blobs()) {
            if (blobs.stat(repo, blob.digest()).isEmpty()) {
                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, "the manifest references blob "
                        + blob.digest() + " (" + blob.mediaType() + ") which is not in " + repo + "; push it first",
                        StoredBlobs.detail(blob.digest()));
            }
        }
        for (Descriptor child : manifest.manifests()) {
            if (!links.exists(StoragePaths.revisionLink(repo, child.digest()))
                    || blobs.statData(child.digest()).isEmpty()) {
                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, "the index references manifest "
                        + child.digest() + " which is not in " + repo + "; push it first",
                        StoredBlobs.detail(child.digest()));
            }
        }
    }

    @Override
    public void delete(RepositoryName repo, Reference reference) {
        if (!settings.deleteEnabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "deleting manifests is disabled on this registry");
        }
        if (reference instanceof Tag tag) {
            if (!links.exists(StoragePaths.tagCurrentLink(repo, tag))) {
                throw unknown(repo, reference);
            }
            links.deleteIfPresent(StoragePaths.tagDir(repo, tag));
            return;
        }
        Digest digest = ((Reference.ByDigest) reference).digest();
        String revision = StoragePaths.revisionLink(repo, digest);
        if (!links.exists(revision)) {
            throw unknown(repo, reference);
        }
        for (Tag tag : tags.all(repo)) {
            if (links.read(StoragePaths.tagCurrentLink(repo, tag)).filter(digest::equals).isPresent()) {
                links.deleteIfPresent(StoragePaths.tagDir(repo, tag));
            }
        }
        subjectOf(digest).ifPresent(subject ->
                links.deleteIfPresent(StoragePaths.referrerEntry(repo, subject, digest)));
        links.deleteIfPresent(LinkFiles.directoryOf(revision));
    }

    /** The subject of a stored manifest, read leniently: it was validated when pushed. */
    private Optional<Digest> subjectOf(Digest digest) {
        try {
            byte[] content = driver.getContent(StoragePaths.blobData(digest));
            return ManifestParser.parse(ManifestParser.detectMediaType(content), content)
                    .subject().map(Descriptor::digest);
        } catch (PathNotFoundException | RegistryException e) {
            return Optional.empty();
        }
    }

    private static RegistryException unknown(RepositoryName repo, Reference reference) {
        return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " is not in " + repo,
                Map.of("name", repo.value(), "reference", reference.toString()));
    }
}
