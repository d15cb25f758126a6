package dev.fleetmirror.gc;

import dev.fleetmirror.core.registry.stored.StoredRegistry;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.storage.StorageDriver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Pushes content through the registry's own services, as clients would. */
final class StoredImages {
    private final Registry registry;
    private final java.util.Map<Digest, Long> blobSizes = new java.util.HashMap<>();

    StoredImages(StorageDriver driver) {
        this.registry = StoredRegistry.create(driver, new RegistrySettings(true));
    }

    Registry registry() {
        return registry;
    }

    Digest blob(String repo, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(bytes);
        blobSizes.put(digest, (long) bytes.length);
        try (UploadSession session = registry.uploads().start(RepositoryName.of(repo))) {
            session.write(bytes, 0, bytes.length);
            session.complete(digest);
        }
        return digest;
    }

    /** An image manifest over {@code config} and {@code layers}, tagged when {@code tag} is not null. */
    Digest image(String repo, String tag, Digest config, List<Digest> layers, Optional<Digest> subject) {
        String layerJson = layers.stream().map(l -> "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"" + l + "\",\"size\":" + size(l) + "}").collect(Collectors.joining(","));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + config + "\",\"size\":" + size(config) + "},"
                + "\"layers\":[" + layerJson + "]"
                + subject.map(s -> ",\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + s
                + "\",\"size\":" + manifestSize(repo, s) + "}").orElse("") + "}";
        return put(repo, tag, MediaTypes.OCI_MANIFEST, manifest);
    }

    Digest index(String repo, String tag, List<Digest> children) {
        String entries = children.stream().map(c -> "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + c
                + "\",\"size\":" + manifestSize(repo, c) + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}")
                .collect(Collectors.joining(","));
        return put(repo, tag, MediaTypes.OCI_INDEX,
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[" + entries + "]}");
    }

    private Digest put(String repo, String tag, String mediaType, String manifest) {
        byte[] body = manifest.getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(body);
        Reference reference = tag == null ? Reference.of(digest) : Tag.of(tag);
        registry.manifests().put(RepositoryName.of(repo), reference, mediaType, body);
        return digest;
    }

    private long size(Digest blob) {
        return blobSizes.get(blob);
    }

    private long manifestSize(String repo, Digest manifest) {
        return registry.manifests().get(RepositoryName.of(repo), Reference.of(manifest)).orElseThrow().content().length;
    }
}
