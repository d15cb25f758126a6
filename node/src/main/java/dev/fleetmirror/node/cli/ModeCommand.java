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

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        node.readCredentials(spec);
        HttpRequest.Builder request = node.request(PATH).timeout(Duration.ofMinutes(5));
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
            err.println("fleetmirror mode: " + node.unanswered(PATH, e));
            err.flush();
            return 1;
        }
        if (response.statusCode() == 200) {
            out.println(response.body());
        } else {
            err.println("fleetmirror mode: " + node.refused(PATH, response.statusCode(), response.body()));
        }
        out.flush();
        err.flush();
        return response.statusCode() == 200 ? 0 : 1;
    }
}
