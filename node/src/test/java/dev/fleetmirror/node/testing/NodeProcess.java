package dev.fleetmirror.node.testing;

import dev.fleetmirror.core.testing.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The packaged {@code fleetmirror.jar} started as its own process, the way a user runs it
 * ({@code java -jar fleetmirror.jar serve config.yml}), on a free loopback port. Integration tests
 * ({@code *IT}, run by failsafe after packaging) use it; {@link #close()} stops the process by its
 * own id.
 */
public final class NodeProcess extends LoopbackRegistryProcess {

    private NodeProcess(Process process, int port, Path storageRoot, Path log) {
        super("node", process, port, storageRoot, log, Duration.ofSeconds(20));
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
        return start(workDir, freePort(), storageRoot, """
                filesystem:
                  rootdirectory: %s
                """.formatted(storageRoot.toAbsolutePath()), extraYaml, jvmArgs);
    }

    /**
     * A node on a port the caller chose (a load balancer's backend, a node that replaces one), on
     * any storage driver.
     *
     * @param storageRoot  where the content ends up on this machine (for {@code s3}, the directory
     *                     S3Proxy serves the bucket from), for {@link #storageRoot()}
     * @param storageYaml  what goes under {@code storage:} (deletes are enabled), unindented: the
     *                     driver's section, such as {@code s3:} and its parameters, and more such as
     *                     {@code redirect:}
     * @param extraYaml    more top-level YAML appended to the generated config (may be empty); a
     *                     {@code log:} section in it replaces the default {@code level: info}
     */
    public static NodeProcess start(Path workDir, int port, Path storageRoot, String storageYaml, String extraYaml,
            List<String> jvmArgs) {
        try {
            Files.createDirectories(workDir);
            Path config = workDir.resolve("config.yml");
            // A log section in extraYaml replaces the default one.
            String log = extraYaml.lines().anyMatch(line -> line.startsWith("log:")) ? "" : """
                    log:
                      level: info
                    """;
            Files.writeString(config, """
                    version: 0.1
                    %shttp:
                      addr: 127.0.0.1:%d
                    storage:
                    %s  delete:
                        enabled: true
                    """.formatted(log, port, storageYaml.indent(2)) + extraYaml);
            Path logFile = workDir.resolve("node.log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            command.addAll(List.of("-jar", jar().toString(), "serve", config.toString()));
            NodeProcess node = new NodeProcess(launch(new ProcessBuilder(command), workDir, logFile), port, storageRoot,
                    logFile);
            node.awaitReady(LocalProcesses.READY_WITHIN);
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
        return LocalProcesses.freeLoopbackPort();
    }
}
