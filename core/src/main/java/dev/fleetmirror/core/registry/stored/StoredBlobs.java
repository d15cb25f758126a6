package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.Blobs;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.storage.FileInfo;
import dev.fleetmirror.core.storage.InvalidOffsetException;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Blobs stored once under {@code blobs/} and made visible in a repository by a {@code _layers} link. */
final class StoredBlobs implements Blobs {
    /** How long a redirect URL stays valid; Distribution's default. */
    static final Duration REDIRECT_VALIDITY = Duration.ofMinutes(20);

    private final StorageDriver driver;
    private final RegistrySettings settings;
    private final LinkFiles links;

    StoredBlobs(StorageDriver driver, RegistrySettings settings) {
        this.driver = driver;
        this.settings = settings;
        this.links = new LinkFiles(driver);
    }

    @Override
    public Optional<BlobDescriptor> stat(RepositoryName repo, Digest digest) {
        if (!links.exists(StoragePaths.layerLink(repo, digest))) {
            return Optional.empty();
        }
        return statData(digest);
    }

    /** The blob's data wherever it is linked, or empty. */
    Optional<BlobDescriptor> statData(Digest digest) {
        try {
            FileInfo info = driver.stat(StoragePaths.blobData(digest));
            return info.directory() ? Optional.empty() : Optional.of(new BlobDescriptor(digest, info.size()));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(Digest digest, long offset) {
        try {
            return driver.reader(StoragePaths.blobData(digest), offset);
        } catch (PathNotFoundException e) {
            throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not stored", detail(digest));
        } catch (InvalidOffsetException e) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "offset " + offset + " is beyond the end of blob " + digest);
        }
    }

    @Override
    public Optional<Path> localFile(Digest digest) {
        return driver.localFile(StoragePaths.blobData(digest));
    }

    @Override
    public Optional<URI> redirectUrl(Digest digest) {
        return driver.redirectUrl(StoragePaths.blobData(digest), REDIRECT_VALIDITY);
    }

    @Override
    public Optional<BlobDescriptor> mount(RepositoryName target, RepositoryName from, Digest digest) {
        Optional<BlobDescriptor> source = stat(from, digest);
        source.ifPresent(blob -> link(target, digest));
        return source;
    }

    @Override
    public boolean dataStored(Digest digest) {
        return statData(digest).isPresent();
    }

    @Override
    public Optional<BlobDescriptor> linkStored(RepositoryName repo, Digest digest) {
        Optional<BlobDescriptor> data = statData(digest);
        data.ifPresent(blob -> link(repo, digest));
        return data;
    }

    /** Makes stored blob data visible in {@code repo}. */
    void link(RepositoryName repo, Digest digest) {
        links.write(StoragePaths.layerLink(repo, digest), digest);
    }

    @Override
    public void delete(RepositoryName repo, Digest digest) {
        if (!settings.deleteEnabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "deleting blobs is disabled on this registry");
        }
        String link = StoragePaths.layerLink(repo, digest);
        if (!links.exists(link) || !links.deleteIfPresent(LinkFiles.directoryOf(link))) {
            throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not linked in " + repo,
                    detail(digest));
        }
    }

    static Map<String, String> detail(Digest digest) {
        return Map.of("digest", digest.toString());
    }
}
