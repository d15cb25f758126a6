package dev.fleetmirror.node.testing;

import dev.fleetmirror.core.testing.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's CNCF Distribution ({@code /usr/bin/docker-registry}, 2.8.2) started as its own process on
 * a free loopback port, for interoperability tests: pointed at the directory (or bucket) a Fleet
 * Mirror node uses, it proves both read and write the same layout. {@link #close()} stops it by its
 * own pid.
 */
public final class DistributionProcess extends LoopbackRegistryProcess {
    /** Overridable with {@code -Dfleetmirror.distribution=/path/to/registry}. */
    public static final Path BINARY = Path.of(System.getProperty("fleetmirror.distribution", "/usr/bin/docker-registry"));

    private DistributionProcess(Process process, int port, Path storageRoot, Path log) {
        super("docker-registry", process, port, storageRoot, log, Duration.ofSeconds(10));
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
        try {
            Files.createDirectories(storageRoot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return startWith(workDir, storageRoot, """
                filesystem:
                  rootdirectory: %s
                """.formatted(storageRoot.toAbsolutePath()), accessLog, extraYaml);
    }

    /**
     * @param workDir     where the generated config and the log go
     * @param storageRoot where the content ends up on this machine (for an {@code s3} driver, the
     *                    directory S3Proxy serves the root directory from), for {@link #storageRoot()}
     * @param driverYaml  the storage driver's section of {@code storage:}, unindented, such as
     *                    {@code s3:} and its parameters
     */
    public static DistributionProcess startWithDriver(Path workDir, Path storageRoot, String driverYaml) {
        return startWith(workDir, storageRoot, driverYaml, false, "");
    }

    private static DistributionProcess startWith(Path workDir, Path storageRoot, String driverYaml, boolean accessLog,
            String extraYaml) {
        if (!available()) {
            throw new IllegalStateException(absentReason());
        }
        try {
            Files.createDirectories(workDir);
            int port = LocalProcesses.freeLoopbackPort();
            Path config = workDir.resolve("distribution.yml");
            // Upload purging is off so Distribution never deletes a node's upload directories
            // while both serve one tree; redirects are off so clients read blobs through it.
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: info
                      accesslog:
                        disabled: %s
                    storage:
                    %s  delete:
                        enabled: true
                      redirect:
                        disable: true
                      maintenance:
                        uploadpurging:
                          enabled: false
                    http:
                      addr: 127.0.0.1:%d
                    """.formatted(!accessLog, driverYaml.indent(2), port) + extraYaml);
            Path log = workDir.resolve("distribution.log");
            ProcessBuilder builder = new ProcessBuilder(BINARY.toString(), "serve", config.toString());
            // Its AWS SDK refuses to start when this sandbox-wide CA bundle variable is set.
            builder.environment().remove("AWS_CA_BUNDLE");
            DistributionProcess registry = new DistributionProcess(launch(builder, workDir, log), port, storageRoot, log);
            registry.awaitReady(LocalProcesses.READY_WITHIN);
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
