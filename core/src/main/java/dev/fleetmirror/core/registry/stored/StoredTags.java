package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.registry.Page;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.Tags;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePath;
import dev.fleetmirror.core.storage.StoragePaths;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tags are the directories under {@code _manifests/tags/}. A repository whose last tag and manifest
 * were deleted still exists while it has layer links, and lists no tags (as Distribution does).
 */
final class StoredTags implements Tags {
    private final StorageDriver driver;

    StoredTags(StorageDriver driver) {
        this.driver = driver;
    }

    @Override
    public Page<Tag> list(RepositoryName repo, int limit, Optional<String> last) {
        try {
            driver.stat(StoragePaths.repository(repo));
        } catch (PathNotFoundException e) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository " + repo + " is not known to this registry",
                    Map.of("name", repo.value()));
        }
        return Pages.of(all(repo).stream().map(Tag::value).toList(), limit, last, Tag::new);
    }

    /** Every tag of the repository in lexical order; names that are not valid tags are skipped. */
    List<Tag> all(RepositoryName repo) {
        return driver.listOrEmpty(StoragePaths.tagsDir(repo)).stream()
                .map(StoragePath::baseName).filter(Tag::isValid).sorted().map(Tag::new).toList();
    }
}
