package dev.fleetmirror.node.cli;

import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code fleetmirror mode read-only|read-write|status --server URL}: switches the running cluster
 * (through any of its nodes) and returns once the switch is complete, or shows the mode.
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
    @Parameters(index = "0", paramLabel = "MODE", description = "read-only, read-write or status")
    String mode;

    @picocli.CommandLine.Mixin
    AdminServer node = new AdminServer();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HttpRequest.Builder request = node.request("/admin/v1/mode").timeout(Duration.ofMinutes(5));
        switch (mode) {
            case "status" -> request.GET();
            case "read-only", "read-write" -> request.PUT(HttpRequest.BodyPublishers.ofString("{\"mode\":\"" + mode + "\"}"));
            default -> {
                err.println("fleetmirror mode: '" + mode + "' is not a mode; use read-only, read-write or status");
                err.flush();
                return 2;
            }
        }
        HttpResponse<String> response;
        try {
            response = node.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            err.println("fleetmirror mode: " + node.server() + " did not answer: " + e.getMessage());
            err.flush();
            return 1;
        }
        (response.statusCode() == 200 ? out : err).println(response.body());
        out.flush();
        err.flush();
        return response.statusCode() == 200 ? 0 : 1;
    }
}
