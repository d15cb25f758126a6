package dev.fleetmirror.node.cli;

import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code fleetmirror mode read-only|read-write|status --server URL}: switches the running cluster
 * (through any of its nodes) and returns once the switch is complete, or shows the mode. With
 * {@code auth:} on, an admin's credentials go along ({@link AdminServer}).
 */
@Command(name = "mode",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Switch a running cluster read-only or read-write, or show its mode.",
                "",
                "read-only waits until writes in flight on every node have finished (pulls go on;",
                "cache misses pass through from upstream without being stored); read-write is",
                "immediate. Exit 0 when the cluster is in the mode asked for.",
                ""})
public final class ModeCommand implements Callable<Integer> {
    private static final String PATH = "/admin/v1/mode";

    @Parameters(index = "0", paramLabel = "MODE", description = "read-only, read-write or status")
    String mode;

    @picocli.CommandLine.Mixin
    AdminServer node = new AdminServer();

    @Override
    public Integer call() throws Exception {
        node.readCredentials();
        HttpRequest.Builder request = node.request(PATH).timeout(Duration.ofMinutes(5));
        switch (mode) {
            case "status" -> request.GET();
            case "read-only", "read-write" -> request.PUT(HttpRequest.BodyPublishers.ofString("{\"mode\":\"" + mode + "\"}"));
            default -> {
                node.error("'" + mode + "' is not a mode; use read-only, read-write or status");
                return 2;
            }
        }
        Optional<HttpResponse<String>> answer = node.send(PATH, request, HttpResponse.BodyHandlers.ofString());
        if (answer.isEmpty()) {
            return 1;
        }
        HttpResponse<String> response = answer.get();
        if (response.statusCode() != 200) {
            node.reportRefusal(PATH, response.statusCode(), response.body());
            return 1;
        }
        PrintWriter out = node.out();
        out.println(response.body());
        out.flush();
        return 0;
    }
}
