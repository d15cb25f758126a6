package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.storage.FilesystemDriver;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Base of the service tests: a registry on a fresh filesystem directory. */
abstract class RegistryFixture {
    @TempDir
    Path root;

    FilesystemDriver driver;
    Registry registry;
    Pushes push;

    @BeforeEach
    void createRegistry() {
        driver = new FilesystemDriver(root);
        registry = StoredRegistry.create(driver, RegistrySettings.defaults());
        push = new Pushes(registry);
    }

    /** Another node (or this one after a restart) on the same storage. */
    Registry anotherNode() {
        return StoredRegistry.create(new FilesystemDriver(root), RegistrySettings.defaults());
    }

    Registry withDeletesDisabled() {
        return StoredRegistry.create(new FilesystemDriver(root), new RegistrySettings(false));
    }
}
