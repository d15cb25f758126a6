package dev.fleetmirror.gc.expiry;

import dev.fleetmirror.core.registry.stored.StoredRegistry;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.storage.StorageDriver;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Stores images the way the pull-through cache does: blobs through uploads, the manifest as fetched. */
final class CachedImages {
    /** A stored image: its manifest and the blobs it references. */
    record Image(Digest manifest, List<Digest> blobs) {
    }

    private final Registry registry;

    CachedImages(StorageDriver driver) {
        this.registry = StoredRegistry.create(driver, RegistrySettings.defaults());
    }

    Image store(String repo, String tag, String seed) {
        RepositoryName name = RepositoryName.of(repo);
        Digest config = blob(name, "{\"config\":\"" + seed + "\"}");
        Digest layer = blob(name, "layer of " + seed);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + config + "\",\"size\":1},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layer
                + "\",\"size\":1}]}";
        Digest digest = registry.manifests().putFetched(name, Tag.of(tag), MediaTypes.OCI_MANIFEST,
                manifest.getBytes(StandardCharsets.UTF_8)).digest();
        return new Image(digest, List.of(config, layer));
    }

    private Digest blob(RepositoryName repo, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(bytes);
        try (UploadSession session = registry.uploads().start(repo)) {
            session.write(bytes, 0, bytes.length);
            session.complete(digest);
        }
        return digest;
    }
}
