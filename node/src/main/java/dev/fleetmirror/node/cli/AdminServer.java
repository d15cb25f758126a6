package dev.fleetmirror.node.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options of the commands that talk to a running node's admin endpoints ({@code mode},
 * {@code warm}): which node, and the cluster secret that admits the caller.
 */
public final class AdminServer {
    @Option(names = "--server", required = true, paramLabel = "URL", description = "any node, e.g. http://127.0.0.1:5000")
    URI server;

    @Option(names = "--secret", paramLabel = "SECRET", defaultValue = "${env:REGISTRY_CLUSTER_SECRET}",
            description = "the cluster secret (default: $REGISTRY_CLUSTER_SECRET); not needed on the node's own machine without one")
    String secret;

    /** A request to {@code path} on the node, carrying the secret when there is one. */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve(path));
        if (secret != null && !secret.isBlank()) {
            request.header("X-Fleetmirror-Cluster-Secret", secret);
        }
        return request;
    }

    HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    URI server() {
        return server;
    }
}
