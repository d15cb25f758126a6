package dev.fleetmirror.node.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's CNCF Distribution ({@code /usr/bin/docker-registry}, 2.8.2) started as its own process on
 * a free loopback port over a given storage directory, for interoperability tests: pointed at the
 * directory a Fleet Mirror node uses, it proves both read and write the same layout.
 * {@link #close()} stops it by its own pid.
 */
public final class DistributionProcess implements RegistryProcess {
    /** Overridable with {@code -Dfleetmirror.distribution=/path/to/registry}. */
    public static final Path BINARY = Path.of(System.getProperty("fleetmirror.distribution", "/usr/bin/docker-registry"));

    private final Process process;
    private final int port;
    private final Path storageRoot;
    private final Path log;

    private DistributionProcess(Process process, int port, Path storageRoot, Path log) {
        this.process = process;
        this.port = port;
        this.storageRoot = storageRoot;
        this.log = log;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** Why tests that need Distribution are skipped when it is absent. */
    public static String absentReason() {
        return BINARY + " is not installed (Debian package 'docker-registry'; .ci/run installs it)";
    }

    /**
     * @param workDir     where the generated config and the log go
     * @param storageRoot {@code storage.filesystem.rootdirectory}; may be shared with a node
     */
    public static DistributionProcess start(Path workDir, Path storageRoot) {
        return start(workDir, storageRoot, false, "");
    }

    /**
     * @param accessLog  log one line per request (an upstream's access log counts what a mirror fetched)
     * @param extraYaml  top-level sections appended to the generated config (e.g. {@code auth:} or {@code proxy:})
     */
    public static DistributionProcess start(Path workDir, Path storageRoot, boolean accessLog, String extraYaml) {
        if (!available()) {
            throw new IllegalStateException(absentReason());
        }
        try {
            Files.createDirectories(workDir);
            Files.createDirectories(storageRoot);
            int port = NodeProcess.freePort();
            Path config = workDir.resolve("distribution.yml");
            // Upload purging is off so Distribution never deletes a node's upload directories
            // while both serve one tree.
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: info
                      accesslog:
                        disabled: %s
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                      maintenance:
                        uploadpurging:
                          enabled: false
                    http:
                      addr: 127.0.0.1:%d
                    """.formatted(!accessLog, storageRoot.toAbsolutePath(), port) + extraYaml);
            Path log = workDir.resolve("distribution.log");
            ProcessBuilder builder = new ProcessBuilder(List.of(BINARY.toString(), "serve", config.toString()))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            ProcessEnvironment.sanitize(builder.environment());
            DistributionProcess registry = new DistributionProcess(builder.start(), port, storageRoot, log);
            registry.awaitReady(Duration.ofSeconds(30));
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public String hostAndPort() {
        return "127.0.0.1:" + port;
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

    private void awaitReady(Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                HttpResponse<Void> response = client.send(
                        HttpRequest.newBuilder(baseUri().resolve("/v2/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                // 401: up, behind the auth an extra section configured
                if (response.statusCode() == 200 || response.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("docker-registry did not answer GET /v2/ within " + timeout + ":\n" + logText());
    }

    @Override
    public void close() {
        ProcessHandle handle = process.toHandle();
        handle.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                handle.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
