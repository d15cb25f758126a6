package dev.fleetmirror.node.testing;

import dev.fleetmirror.core.testing.LocalProcesses;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A registry process on a 127.0.0.1 port, its output in one log file: what {@link NodeProcess} and
 * {@link DistributionProcess} share once their command and config are written. Ready means
 * {@code GET /v2/} answers (200, or 401 behind auth); {@link #close()} stops the process by its own id.
 */
public abstract class LoopbackRegistryProcess implements RegistryProcess {
    private static final Duration POLL = Duration.ofMillis(100);

    private final String name;
    private final Process process;
    private final int port;
    private final Path storageRoot;
    private final Path log;
    private final Duration stopGrace;

    LoopbackRegistryProcess(String name, Process process, int port, Path storageRoot, Path log, Duration stopGrace) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.storageRoot = storageRoot;
        this.log = log;
        this.stopGrace = stopGrace;
    }

    /** Starts {@code command} in {@code workDir} with a clean environment, all output to {@code log}. */
    static Process launch(ProcessBuilder builder, Path workDir, Path log) throws IOException {
        builder.directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        ProcessEnvironment.sanitize(builder.environment());
        return builder.start();
    }

    @Override
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public String hostAndPort() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public Path storageRoot() {
        return storageRoot;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Polls {@code GET /v2/} until it answers 200 or 401; stops the process when it does not in time. */
    final void awaitReady(Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + logText());
                }
                if (answers(client)) {
                    return;
                }
                LocalProcesses.pause(POLL);
            }
        } catch (IllegalStateException e) {
            close();
            throw e;
        }
        close();
        throw new IllegalStateException(name + " did not answer GET /v2/ within " + timeout + ":\n" + logText());
    }

    private boolean answers(HttpClient client) {
        try {
            HttpResponse<Void> response = client.send(
                    HttpRequest.newBuilder(baseUri().resolve("/v2/")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            // 401: up, behind the auth an extra config section turned on
            return response.statusCode() == 200 || response.statusCode() == 401;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Kills the process at once (SIGKILL by its pid), as a crash or the OOM killer would: no
     * shutdown hook runs, connections are cut mid-transfer. Returns once it is gone.
     */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL for 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        LocalProcesses.stop(process, stopGrace);
    }

    /**
     * Stops every one of {@code processes} as {@link #close()} does, but asks them all to stop
     * (SIGTERM) before waiting for the first: cluster members then leave side by side, not one
     * graceful leave after the other, for a test's tear-down where no member must outlast another.
     */
    public static void closeAll(java.util.Collection<? extends LoopbackRegistryProcess> processes) {
        processes.forEach(p -> ((LoopbackRegistryProcess) p).process.toHandle().destroy());
        processes.forEach(LoopbackRegistryProcess::close);
    }
}
