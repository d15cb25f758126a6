package dev.fleetmirror.node.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.digest.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A thin java.net.http client for one node, speaking the distribution API in tests. */
final class RegistryClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private final URI base;

    RegistryClient(int port) {
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(60));
    }

    HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<byte[]> get(String path, String... headers) {
        return send(withHeaders(request(path).GET(), headers));
    }

    HttpResponse<byte[]> head(String path, String... headers) {
        return send(withHeaders(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()), headers));
    }

    HttpResponse<byte[]> delete(String path) {
        return send(request(path).DELETE());
    }

    HttpResponse<byte[]> method(String method, String path, byte[] body, String... headers) {
        return send(withHeaders(request(path).method(method, HttpRequest.BodyPublishers.ofByteArray(body)), headers));
    }

    HttpResponse<byte[]> post(String path, byte[] body, String... headers) {
        return method("POST", path, body, headers);
    }

    HttpResponse<byte[]> patch(String path, byte[] body, String... headers) {
        return method("PATCH", path, body, headers);
    }

    HttpResponse<byte[]> put(String path, byte[] body, String... headers) {
        return method("PUT", path, body, headers);
    }

    /** Pushes a blob with a monolithic POST and checks it was accepted. */
    Digest pushBlob(String repo, byte[] content) {
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> response = post("/v2/" + repo + "/blobs/uploads/?digest=" + digest, content);
        assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(201);
        return digest;
    }

    /** Pushes a manifest and checks it was accepted; returns its digest. */
    Digest pushManifest(String repo, String reference, String mediaType, byte[] manifest) {
        HttpResponse<byte[]> response = put("/v2/" + repo + "/manifests/" + reference, manifest, "Content-Type", mediaType);
        assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(201);
        return Digest.sha256(manifest);
    }

    /** Starts an upload session and returns its Location path. */
    String startUpload(String repo) {
        HttpResponse<byte[]> response = post("/v2/" + repo + "/blobs/uploads/", new byte[0]);
        assertThat(response.statusCode()).isEqualTo(202);
        return response.headers().firstValue("Location").orElseThrow();
    }

    HttpResponse<java.io.InputStream> sendStreaming(String path) {
        try {
            return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Hashes a stream without holding it. */
    static Digest sha256(java.io.InputStream in) {
        try (in) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return Digest.of(dev.fleetmirror.core.digest.DigestAlgorithm.SHA256, sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first error code of a spec error body. */
    static String errorCode(HttpResponse<byte[]> response) {
        return json(response).path("errors").path(0).path("code").asText();
    }

    private static HttpRequest.Builder withHeaders(HttpRequest.Builder builder, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }
}
