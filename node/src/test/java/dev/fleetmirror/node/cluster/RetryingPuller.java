package dev.fleetmirror.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.testing.LocalProcesses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A pulling client that behaves like containerd or skopeo when a transfer breaks: it tries again,
 * a few times, after a short pause, from the start. Nothing it receives is kept: every body is
 * hashed as it streams in, so a test compares what each client got by digest, and a client may pull
 * a blob far larger than the test's heap would like.
 *
 * <p>A transfer that completes with the wrong bytes is not retried: a real client would reject the
 * image, and the test must see it.
 */
final class RetryingPuller {
    static final int ATTEMPTS = 6;
    private static final Duration PAUSE = Duration.ofMillis(300);
    private static final String MANIFEST_TYPES = "application/vnd.oci.image.manifest.v1+json,"
            + "application/vnd.docker.distribution.manifest.v2+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> registries;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** A client of one registry (a load balancer, or one node). */
    RetryingPuller(URI registry) {
        this(List.of(registry));
    }

    /**
     * A client whose attempt {@code n} goes to {@code registries[min(n, size - 1)]}: the first to
     * one node, say, and every retry to the load balancer.
     */
    RetryingPuller(List<URI> registries) {
        this.registries = List.copyOf(registries);
    }

    /**
     * What a client received of one blob (or manifest).
     *
     * @param sha256   {@code sha256:<hex>} of the bytes of the attempt that completed
     * @param size     how many bytes that attempt received
     * @param failures how the attempts before it broke (none when the first one completed)
     */
    record Received(String sha256, long size, List<String> failures) {
    }

    /** A completed attempt; the body only when the caller needs it (a manifest it reads). */
    private record Transfer(Received received, byte[] body) {
    }

    /** A pulled image: the manifest first, then its config and layers, each by its descriptor digest. */
    record Pulled(String manifestDigest, Map<String, Received> content) {

        int failures() {
            return content.values().stream().mapToInt(received -> received.failures().size()).sum();
        }

        /** Digests whose bytes did not hash to them (empty for a good pull). */
        List<String> corrupt() {
            List<String> corrupt = new ArrayList<>();
            content.forEach((digest, received) -> {
                if (!received.sha256().equals(digest)) {
                    corrupt.add(digest + " arrived as " + received.sha256());
                }
            });
            return corrupt;
        }
    }

    /** Thrown when every attempt failed. */
    static final class PullFailed extends RuntimeException {
        PullFailed(String what, List<String> attempts) {
            super(what + " failed " + attempts.size() + " times: " + String.join("; ", attempts));
        }
    }

    /** Pulls {@code repo:tag}: its manifest, then every blob it names, one after the other. */
    Pulled pull(String repo, String tag) {
        return pull(repo, tag, received -> { });
    }

    /** As {@link #pull(String, String)}; {@code progress} hears the bytes of the current blob attempt so far. */
    Pulled pull(String repo, String tag, LongConsumer progress) {
        Map<String, Received> content = new LinkedHashMap<>();
        Transfer manifest = fetch("/v2/" + repo + "/manifests/" + tag, MANIFEST_TYPES, bytes -> { }, true);
        content.put(manifest.received().sha256(), manifest.received());
        JsonNode parsed = parse(manifest.body());
        List<String> blobs = new ArrayList<>(List.of(parsed.path("config").path("digest").asText()));
        parsed.path("layers").forEach(layer -> blobs.add(layer.path("digest").asText()));
        for (String digest : blobs) {
            content.put(digest, blob(repo, digest, progress));
        }
        return new Pulled(manifest.received().sha256(), content);
    }

    /** Pulls one blob; {@code progress} hears the bytes received so far in the current attempt. */
    Received blob(String repo, String digest, LongConsumer progress) {
        return fetch("/v2/" + repo + "/blobs/" + digest, "*/*", progress, false).received();
    }

    private Transfer fetch(String path, String accept, LongConsumer progress, boolean keepBody) {
        List<String> failures = new ArrayList<>();
        while (failures.size() < ATTEMPTS) {
            URI registry = registries.get(Math.min(failures.size(), registries.size() - 1));
            HttpRequest request = HttpRequest.newBuilder(registry.resolve(path)).header("Accept", accept)
                    .timeout(Duration.ofSeconds(30)).build();
            try {
                HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = response.body()) {
                    if (response.statusCode() != 200) {
                        failures.add(registry + ": HTTP " + response.statusCode() + " " + new String(body.readNBytes(512)));
                    } else {
                        return read(body, progress, keepBody, failures);
                    }
                }
            } catch (IOException e) {
                failures.add(registry + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            LocalProcesses.pause(PAUSE);
        }
        throw new PullFailed("GET " + path, failures);
    }

    /** Hashes the body as it arrives; keeps it only for a caller that needs it (a manifest). */
    private static Transfer read(InputStream body, LongConsumer progress, boolean keepBody, List<String> failures)
            throws IOException {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[64 * 1024];
        ByteArrayOutputStream kept = keepBody ? new ByteArrayOutputStream() : null;
        long total = 0;
        for (int n; (n = body.read(buffer)) >= 0; ) {
            sha.update(buffer, 0, n);
            if (kept != null) {
                kept.write(buffer, 0, n);
            }
            total += n;
            progress.accept(total);
        }
        Received received = new Received("sha256:" + HexFormat.of().formatHex(sha.digest()), total, List.copyOf(failures));
        return new Transfer(received, kept == null ? null : kept.toByteArray());
    }

    private static JsonNode parse(byte[] manifest) {
        try {
            return JSON.readTree(manifest);
        } catch (IOException e) {
            throw new AssertionError("manifest is not JSON: " + new String(manifest), e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
