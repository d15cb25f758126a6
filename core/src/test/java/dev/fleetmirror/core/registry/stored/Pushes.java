package dev.fleetmirror.core.registry.stored;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.UploadSession;
import java.nio.charset.StandardCharsets;

/** Pushes through the services the way a client's requests would, for tests. */
final class Pushes {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Registry registry;

    Pushes(Registry registry) {
        this.registry = registry;
    }

    /** Uploads a blob in one request and returns its digest. */
    Digest blob(RepositoryName repo, byte[] content) {
        Digest digest = Digest.sha256(content);
        try (UploadSession session = registry.uploads().start(repo)) {
            session.write(content, 0, content.length);
            session.complete(digest);
        }
        return digest;
    }

    /** Uploads a blob in many small requests, each through a new session, and returns what complete said. */
    BlobDescriptor blobDescriptor(RepositoryName repo, byte[] content) {
        String id;
        try (UploadSession session = registry.uploads().start(repo)) {
            id = session.id();
        }
        int chunk = 64 * 1024;
        for (int offset = 0; offset < content.length; offset += chunk) {
            try (UploadSession session = registry.uploads().resume(repo, id)) {
                session.write(content, offset, Math.min(chunk, content.length - offset));
            }
        }
        try (UploadSession session = registry.uploads().resume(repo, id)) {
            return session.complete(Digest.sha256(content));
        }
    }

    Digest blob(RepositoryName repo, String content) {
        return blob(repo, content.getBytes(StandardCharsets.UTF_8));
    }

    /** An OCI image manifest referencing the given config and layers (by digest, sizes made up). */
    static ObjectNode imageManifest(Digest config, Digest... layers) {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.set("config", descriptor(MediaTypes.OCI_CONFIG, config, 2));
        ArrayNode array = manifest.putArray("layers");
        for (Digest layer : layers) {
            array.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer, 3));
        }
        return manifest;
    }

    static ObjectNode index(Digest... manifests) {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode array = index.putArray("manifests");
        for (Digest m : manifests) {
            array.add(descriptor(MediaTypes.OCI_MANIFEST, m, 100));
        }
        return index;
    }

    static ObjectNode descriptor(String mediaType, Digest digest, long size) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", size);
        return d;
    }

    static byte[] bytes(ObjectNode json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Puts a manifest under a tag; returns its digest. */
    Digest manifest(RepositoryName repo, String tag, ObjectNode manifest) {
        return registry.manifests().put(repo, Tag.of(tag), manifest.get("mediaType").textValue(), bytes(manifest)).digest();
    }

    /** Puts a manifest by digest; returns its digest. */
    Digest manifest(RepositoryName repo, ObjectNode manifest) {
        byte[] body = bytes(manifest);
        return registry.manifests().put(repo, Reference.of(Digest.sha256(body)),
                manifest.get("mediaType").textValue(), body).digest();
    }

    /** A small image (config + one layer) pushed under {@code tag}. */
    Digest image(RepositoryName repo, String tag, String seed) {
        Digest config = blob(repo, "{\"config\":\"" + seed + "\"}");
        Digest layer = blob(repo, "layer of " + seed);
        return manifest(repo, tag, imageManifest(config, layer));
    }
}
