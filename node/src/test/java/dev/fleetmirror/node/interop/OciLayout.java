package dev.fleetmirror.node.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * An OCI image layout on disk (what mkimage.py writes and what {@code skopeo copy ... oci:DIR:TAG}
 * pulls into), read just far enough to compare two layouts: which manifest a tag names, and every
 * blob that manifest reaches (index children, configs, layers).
 */
public record OciLayout(Path root) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The digest of the manifest tagged {@code tag} in {@code index.json}. */
    String manifestDigest(String tag) {
        for (JsonNode descriptor : read(root.resolve("index.json")).path("manifests")) {
            if (tag.equals(descriptor.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                return descriptor.path("digest").asText();
            }
        }
        throw new AssertionError("no manifest tagged " + tag + " in " + root.resolve("index.json"));
    }

    byte[] blob(String digest) {
        try {
            return Files.readAllBytes(blobPath(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path blobPath(String digest) {
        String[] parts = digest.split(":", 2);
        return root.resolve("blobs").resolve(parts[0]).resolve(parts[1]);
    }

    /** Every digest reachable from a manifest, the manifest itself included. */
    Set<String> closure(String manifestDigest) {
        Set<String> digests = new LinkedHashSet<>();
        collect(manifestDigest, digests);
        return digests;
    }

    private void collect(String digest, Set<String> into) {
        into.add(digest);
        JsonNode manifest;
        try {
            manifest = JSON.readTree(blob(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        manifest.path("manifests").forEach(child -> collect(child.path("digest").asText(), into));
        if (manifest.has("config")) {
            into.add(manifest.path("config").path("digest").asText());
        }
        manifest.path("layers").forEach(layer -> into.add(layer.path("digest").asText()));
    }

    /** The sha256 of a stored blob's bytes, streamed. */
    String digestOfContent(String digest) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(blobPath(digest)), sha)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Asserts that {@code pulled}, under {@code pulledTag}, holds exactly what this layout holds
     * under {@code tag}: the same manifest bytes, and every reachable blob present with content
     * whose sha256 is its name.
     */
    public void assertSameImage(String tag, OciLayout pulled, String pulledTag) {
        String digest = manifestDigest(tag);
        assertThat(pulled.manifestDigest(pulledTag)).as("manifest digest pulled back for %s", tag).isEqualTo(digest);
        assertThat(pulled.blob(digest)).as("manifest bytes pulled back for %s", tag).isEqualTo(blob(digest));
        Set<String> expected = closure(digest);
        assertThat(pulled.closure(digest)).as("blobs reachable from %s", tag).containsExactlyInAnyOrderElementsOf(expected);
        for (String blob : expected) {
            assertThat(pulled.digestOfContent(blob)).as("content of pulled blob %s", blob).isEqualTo(blob);
        }
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
