package dev.fleetmirror.node.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged {@code fleetmirror.jar} started as its own process, the way a user runs it
 * ({@code java -jar fleetmirror.jar serve config.yml}), on a free loopback port. Integration tests
 * ({@code *IT}, run by failsafe after packaging) use it; {@link #close()} stops the process by its
 * own id.
 */
public final class NodeProcess implements RegistryProcess {
    private final Process process;
    private final int port;
    private final Path storageRoot;
    private final Path log;

    private NodeProcess(Process process, int port, Path storageRoot, Path log) {
        this.process = process;
        this.port = port;
        this.storageRoot = storageRoot;
        this.log = log;
    }

    /** A node with filesystem storage under {@code workDir/storage} and deletes enabled. */
    public static NodeProcess start(Path workDir) {
        return start(workDir, workDir.resolve("storage"), "", List.of());
    }

    /**
     * @param storageRoot  {@code storage.filesystem.rootdirectory}
     * @param extraYaml    more top-level YAML appended to the generated config (may be empty)
     * @param jvmArgs      e.g. {@code -Xmx256m}
     */
    public static NodeProcess start(Path workDir, Path storageRoot, String extraYaml, List<String> jvmArgs) {
        try {
            Files.createDirectories(workDir);
            int port = freePort();
            Path config = workDir.resolve("config.yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: info
                    http:
                      addr: 127.0.0.1:%d
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    """.formatted(port, storageRoot.toAbsolutePath()) + extraYaml);
            Path log = workDir.resolve("node.log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            command.addAll(List.of("-jar", jar().toString(), "serve", config.toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            ProcessEnvironment.sanitize(builder.environment());
            Process process = builder.start();
            NodeProcess node = new NodeProcess(process, port, storageRoot, log);
            node.awaitReady(Duration.ofSeconds(60));
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path jar() {
        String jar = System.getProperty("fleetmirror.jar");
        Path path = jar != null ? Path.of(jar) : Path.of("target", "fleetmirror.jar");
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " does not exist: run the tests with 'mvn verify' so the jar is packaged first");
        }
        return path;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** {@code 127.0.0.1:port}, as skopeo wants it. */
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

    private void awaitReady(Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("node exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                HttpResponse<Void> response = client.send(
                        HttpRequest.newBuilder(baseUri().resolve("/v2/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(100);
        }
        close();
        throw new IllegalStateException("node did not answer GET /v2/ within " + timeout + ":\n" + logText());
    }

    @Override
    public void close() {
        ProcessHandle handle = process.toHandle();
        handle.descendants().forEach(ProcessHandle::destroy);
        handle.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                handle.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
