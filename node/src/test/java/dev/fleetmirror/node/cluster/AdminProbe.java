package dev.fleetmirror.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.node.admin.ClusterAdmin;
import dev.fleetmirror.node.admin.PeerAccess;
import dev.fleetmirror.node.testing.NodeProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A node process's {@link ClusterAdmin} ({@code GET /admin/v1/cluster}), asked with the cluster
 * secret: how many members each node sees and which node owns a fill.
 */
final class AdminProbe {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String secret;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    AdminProbe(String secret) {
        this.secret = secret;
    }

    /** What one node answered. */
    sealed interface Answer {
        record View(JsonNode body) implements Answer {
            List<String> memberUrls() {
                List<String> urls = new ArrayList<>();
                body.path("members").forEach(member -> urls.add(member.path("peerUrl").asText()));
                return urls;
            }

            int memberCount() {
                return body.path("members").size();
            }

            /** The peer URL of the member filling {@code digest}, when one is. */
            Optional<String> fillOwner(String digest) {
                for (JsonNode fill : body.path("fills")) {
                    if (digest.equals(fill.path("digest").asText())) {
                        String peerUrl = fill.path("peerUrl").asText("");
                        return peerUrl.isEmpty() ? peerUrlOf(fill.path("member").asText()) : Optional.of(peerUrl);
                    }
                }
                return Optional.empty();
            }

            private Optional<String> peerUrlOf(String memberId) {
                for (JsonNode member : body.path("members")) {
                    if (memberId.equals(member.path("id").asText())) {
                        return Optional.of(member.path("peerUrl").asText());
                    }
                }
                return Optional.empty();
            }
        }

        /** Not (yet) an answer: not listening, or an error status. */
        record Unavailable(String why) implements Answer {
        }
    }

    Answer ask(NodeProcess node) {
        return ask(node.baseUri());
    }

    Answer ask(URI node) {
        HttpRequest request = HttpRequest.newBuilder(node.resolve(ClusterAdmin.PATH)).header(PeerAccess.SECRET_HEADER, secret)
                .timeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                return new Answer.Unavailable(response.statusCode() + " " + new String(response.body()));
            }
            return new Answer.View(JSON.readTree(response.body()));
        } catch (IOException e) {
            return new Answer.Unavailable(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
