package dev.fleetmirror.node.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A deliberately plain HTTP/1.1 client for the OCI distribution API, the way the conformance suite
 * talks to a registry: raw methods, paths and headers, no knowledge of the protocol beyond resolving
 * a {@code Location} header. Every exchange is kept printable so a failing assertion shows the exact
 * request and response.
 */
public final class RegistryHttpClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;

    public RegistryHttpClient(URI base) {
        this.base = base;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** @param pathOrUrl a path such as {@code /v2/repo/blobs/uploads/} or a Location value (relative or absolute) */
    public Call call(String method, String pathOrUrl) {
        return new Call(method, base.resolve(pathOrUrl).toString());
    }

    public final class Call {
        private final String method;
        private final StringBuilder url;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private byte[] body;

        private Call(String method, String url) {
            this.method = method;
            this.url = new StringBuilder(url);
        }

        public Call query(String name, String value) {
            url.append(url.indexOf("?") < 0 ? '?' : '&')
                    .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            return this;
        }

        /** Content-Length is not settable here: the JDK derives it from the body, as it must match anyway. */
        public Call header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Call body(byte[] content) {
            this.body = content;
            return this;
        }

        public Response send() {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString()))
                    .timeout(Duration.ofSeconds(60))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(request::header);
            String description = method + " " + url + headers + (body == null ? "" : " (" + body.length + " bytes)");
            try {
                HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                return new Response(description, response.statusCode(), response.headers().map(), response.body());
            } catch (IOException e) {
                throw new UncheckedIOException(description + " failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(description + " interrupted", e);
            }
        }
    }

    /** One exchange; {@link #toString()} prints both sides for assertion messages. */
    public record Response(String request, int status, Map<String, List<String>> headers, byte[] body) {

        public Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .flatMap(entry -> entry.getValue().stream())
                    .findFirst();
        }

        /** The header's value, or the empty string when absent. */
        public String headerOrEmpty(String name) {
            return header(name).orElse("");
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("body is not JSON: " + this, e);
            }
        }

        /** The {@code code} of every entry of an OCI error body, or nothing if the body is not one. */
        public List<String> errorCodes() {
            List<String> codes = new ArrayList<>();
            try {
                JsonNode errors = JSON.readTree(body).path("errors");
                errors.forEach(error -> codes.add(error.path("code").asText()));
            } catch (IOException e) {
                // not JSON: no codes
            }
            return codes;
        }

        /** The Location header; fails the test when absent. */
        public String location() {
            return header("Location").orElseThrow(() -> new AssertionError("no Location header: " + this));
        }

        @Override
        public String toString() {
            String text = text();
            String shown = text.length() > 2048 ? text.substring(0, 2048) + "..." : text;
            return "\n  request:  " + request + "\n  response: " + status + " " + headers + "\n  body:     " + shown;
        }
    }
}
