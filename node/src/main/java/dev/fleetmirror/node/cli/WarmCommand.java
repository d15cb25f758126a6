package dev.fleetmirror.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fleetmirror warm IMAGE... --server URL}: has a running node fetch images into the cache
 * (POST /admin/v1/warm) and prints its progress as it comes.
 */
@Command(name = "warm",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Fetch images into the cache before a rollout.",
                "",
                "IMAGE is the name clients pull through the mirror (docker.io/library/redis:7,",
                "ghcr.io/org/app@sha256:...). All platforms of a multi-platform image unless",
                "--platform chooses some. Blobs already cached are skipped. In a cluster each blob",
                "crosses the upstream once. Exit 0 when every image was warmed, 1 otherwise.",
                ""})
public final class WarmCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/admin/v1/warm";

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "images, name[:tag][@digest]")
    List<String> images = new ArrayList<>();

    @picocli.CommandLine.Mixin
    AdminServer node = new AdminServer();

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "only these platforms of a multi-platform image (repeatable), e.g. linux/amd64")
    List<String> platforms = new ArrayList<>();

    @Option(names = "--with-referrers", description = "also each image's referrers (signatures, SBOMs, attestations, and"
            + " cosign's sha256-<hex>.sig/.att/.sbom tags), their manifests and blobs, so a site can go offline with them")
    boolean withReferrers;

    @Option(names = "--json", description = "print the node's progress events as they come (one JSON object per line)")
    boolean json;

    @Override
    public Integer call() throws Exception {
        node.readCredentials();
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("images");
        images.forEach(list::add);
        ArrayNode chosen = body.putArray("platforms");
        platforms.forEach(chosen::add);
        if (withReferrers) {
            body.put("withReferrers", true);
        }
        HttpRequest.Builder request = node.request(PATH)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        Optional<HttpResponse<InputStream>> answer = node.send(PATH, request, HttpResponse.BodyHandlers.ofInputStream());
        if (answer.isEmpty()) {
            return 1;
        }
        HttpResponse<InputStream> response = answer.get();
        if (response.statusCode() != 200) {
            try (InputStream in = response.body()) {
                node.reportRefusal(PATH, response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            return 1;
        }
        PrintWriter out = node.out();
        PrintWriter err = node.err();
        JsonNode summary = null;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = JSON.readTree(line);
                if ("summary".equals(event.path("event").asText())) {
                    summary = event;
                }
                if (json) {
                    out.println(line);
                } else {
                    String text = describe(event);
                    if (text != null) {
                        ("image-failed".equals(event.path("event").asText()) ? err : out).println(text);
                    }
                }
                out.flush();
                err.flush();
            }
        }
        if (summary == null) {
            node.error("the node stopped answering before its summary; the warm may be incomplete");
            return 1;
        }
        return summary.path("failedImages").asInt(1) == 0 && !summary.has("error") ? 0 : 1;
    }

    /** One line for a person, or null for events not worth one. */
    static String describe(JsonNode event) {
        String image = event.path("image").asText();
        return switch (event.path("event").asText()) {
            case "manifest" -> image + ": manifest " + shortDigest(event) + (event.has("platform")
                    ? " (" + event.path("platform").asText() + ")" : event.path("index").asBoolean() ? " (index)" : "");
            case "blob" -> switch (event.path("status").asText()) {
                case "fetching" -> null;
                case "cached" -> image + ": blob " + shortDigest(event) + " already cached (" + size(event.path("size").asLong()) + ")";
                default -> image + ": blob " + shortDigest(event) + " " + event.path("status").asText() + " ("
                        + size(event.path("size").asLong()) + ")";
            };
            case "image-done" -> image + ": done: " + event.path("manifests").asInt() + " manifests, "
                    + event.path("blobs").asInt() + " blobs (" + event.path("fetched").asInt() + " fetched, "
                    + size(event.path("bytesFetched").asLong()) + "; " + event.path("cached").asInt() + " already cached)"
                    + (event.path("referrers").asInt() > 0 ? ", " + event.path("referrers").asInt() + " referrers" : "");
            case "referrer" -> image + ": referrer " + shortDigest(event) + (event.has("tag")
                    ? " (tag " + event.path("tag").asText() + ")" : " (" + event.path("artifactType").asText() + ")");
            case "image-failed" -> image + ": FAILED: " + event.path("error").asText();
            case "summary" -> event.has("error") ? "warm failed: " + event.path("error").asText()
                    : "warmed " + (event.path("images").asInt() - event.path("failedImages").asInt()) + " of "
                    + event.path("images").asInt() + " images in " + event.path("seconds").asDouble() + " s: "
                    + event.path("fetched").asInt() + " blobs fetched (" + size(event.path("bytesFetched").asLong()) + "), "
                    + event.path("cached").asInt() + " already cached";
            default -> null;
        };
    }

    private static String shortDigest(JsonNode event) {
        String digest = event.path("digest").asText();
        return digest.length() > 19 ? digest.substring(0, 19) : digest;
    }

    private static String size(long bytes) {
        if (bytes < 1_000_000) {
            return String.format("%.1f kB", bytes / 1e3);
        }
        return bytes < 1_000_000_000 ? String.format("%.1f MB", bytes / 1e6) : String.format("%.2f GB", bytes / 1e9);
    }
}
