package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.manifest.DescriptorJson;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.Referrers;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Referrers from the index written at push time ({@code /fleetmirror/.../referrers/}), so listing
 * them reads one small entry per referrer instead of every manifest of the repository.
 */
final class StoredReferrers implements Referrers {
    private final StorageDriver driver;
    private final LinkFiles links;

    StoredReferrers(StorageDriver driver) {
        this.driver = driver;
        this.links = new LinkFiles(driver);
    }

    @Override
    public List<Descriptor> list(RepositoryName repo, Digest subject, Optional<String> artifactType) {
        List<Descriptor> referrers = new ArrayList<>();
        for (String algorithmDir : driver.listOrEmpty(StoragePaths.referrersDir(repo, subject))) {
            for (String entry : driver.listOrEmpty(algorithmDir)) {
                entry(entry)
                        .filter(d -> artifactType.isEmpty() || artifactType.get().equals(d.artifactType()))
                        .filter(d -> links.exists(StoragePaths.revisionLink(repo, d.digest())))
                        .ifPresent(referrers::add);
            }
        }
        referrers.sort(Comparator.comparing(Descriptor::digest));
        return referrers;
    }

    private Optional<Descriptor> entry(String path) {
        try {
            return Optional.of(DescriptorJson.read(driver.getContent(path)));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }
}
