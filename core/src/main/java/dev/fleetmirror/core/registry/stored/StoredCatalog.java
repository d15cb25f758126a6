package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.Catalog;
import dev.fleetmirror.core.registry.Page;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePath;
import dev.fleetmirror.core.storage.StoragePaths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The repositories under {@code repositories/}: a directory is a repository when it holds
 * {@code _manifests} or {@code _layers}; names nest, so the walk continues below repositories too.
 */
final class StoredCatalog implements Catalog {
    private final StorageDriver driver;

    StoredCatalog(StorageDriver driver) {
        this.driver = driver;
    }

    @Override
    public Page<RepositoryName> list(int limit, Optional<String> last) {
        List<String> names = new ArrayList<>();
        collect(StoragePaths.REPOSITORIES, "", names);
        names.sort(null);
        return Pages.of(names, limit, last, RepositoryName::new);
    }

    private void collect(String dir, String name, List<String> names) {
        List<String> children;
        try {
            children = driver.list(dir);
        } catch (PathNotFoundException e) {
            return;
        }
        boolean repository = false;
        for (String child : children) {
            String base = StoragePath.baseName(child);
            if (base.startsWith("_")) {
                repository |= base.equals("_manifests") || base.equals("_layers");
                continue;
            }
            collect(child, name.isEmpty() ? base : name + "/" + base, names);
        }
        if (repository && RepositoryName.isValid(name)) {
            names.add(name);
        }
    }
}
