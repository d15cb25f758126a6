package dev.fleetmirror.node.testing;

import dev.fleetmirror.core.testing.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's containerd ({@code /usr/bin/containerd}, 1.6) started as a process of its own for
 * interoperability tests, never the system service: its root, state and sockets all live in the
 * test's directory, and {@link #close()} stops it by its own pid. Only what pulling needs is
 * loaded: the CRI plugin (which wants a CNI set-up), the snapshotters that need a kernel module or
 * a special filesystem, and the {@code opt} plugin (which writes to {@code /opt/containerd}) are
 * disabled. {@link #ctr} runs Debian's {@code ctr} against it.
 */
public final class ContainerdProcess implements AutoCloseable {
    public static final Path BINARY = Path.of(System.getProperty("fleetmirror.containerd", "/usr/bin/containerd"));
    public static final Path CTR = Path.of(System.getProperty("fleetmirror.ctr", "/usr/bin/ctr"));
    private static final Duration READY = Duration.ofSeconds(30);
    private static final Duration CTR_TIMEOUT = Duration.ofSeconds(180);

    private final Process process;
    private final Path socket;
    private final Path log;

    private ContainerdProcess(Process process, Path socket, Path log) {
        this.process = process;
        this.socket = socket;
        this.log = log;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY) && Files.isExecutable(CTR);
    }

    /** Why tests that need containerd are skipped when it is absent. */
    public static String absentReason() {
        return BINARY + " or " + CTR + " is not installed (Debian package 'containerd'; .ci/run installs it)";
    }

    /** containerd needs root even with no container to run (it mounts, and owns its root as root). */
    public static boolean canStart() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    public static String cannotStartReason() {
        return "containerd runs only as root, and this test runs as another user";
    }

    /** Starts containerd with everything under {@code workDir}; returns once {@code ctr version} answers. */
    public static ContainerdProcess start(Path workDir) {
        if (!available()) {
            throw new IllegalStateException(absentReason());
        }
        try {
            Files.createDirectories(workDir);
            Path dir = workDir.toAbsolutePath();
            // A unix socket path must stay under 108 bytes: the test's temp directory is short enough.
            Path socket = dir.resolve("containerd.sock");
            Path config = dir.resolve("config.toml");
            Files.writeString(config, """
                    version = 2
                    root = "%s"
                    state = "%s"
                    disabled_plugins = [
                      "io.containerd.grpc.v1.cri",
                      "io.containerd.snapshotter.v1.aufs",
                      "io.containerd.snapshotter.v1.btrfs",
                      "io.containerd.snapshotter.v1.devmapper",
                      "io.containerd.snapshotter.v1.zfs",
                      "io.containerd.internal.v1.opt",
                    ]

                    [grpc]
                      address = "%s"

                    [ttrpc]
                      address = "%s"

                    [debug]
                      address = "%s"
                    """.formatted(dir.resolve("root"), dir.resolve("state"), socket, dir.resolve("containerd.sock.ttrpc"),
                    dir.resolve("debug.sock")));
            Path log = dir.resolve("containerd.log");
            ProcessBuilder builder = new ProcessBuilder(BINARY.toString(), "--config", config.toString())
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            ProcessEnvironment.sanitize(builder.environment());
            ContainerdProcess containerd = new ContainerdProcess(builder.start(), socket, log);
            containerd.awaitReady();
            return containerd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path socket() {
        return socket;
    }

    public long pid() {
        return process.pid();
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * {@code ctr --address <socket> args...}: its output (stdout and stderr together) and exit
     * code. A ctr that outlives its timeout is killed by its pid.
     */
    public Ctr ctr(String... args) {
        List<String> command = new ArrayList<>(List.of(CTR.toString(), "--address", socket.toString()));
        command.addAll(List.of(args));
        try {
            Path output = Files.createTempFile("ctr", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
                ProcessEnvironment.sanitize(builder.environment());
                Process ctr = builder.start();
                boolean finished = ctr.waitFor(CTR_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    LocalProcesses.stop(ctr, Duration.ofSeconds(1));
                }
                return new Ctr(String.join(" ", command), finished ? ctr.exitValue() : -1, Files.readString(output));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One ctr run; {@code exitCode} is -1 when it timed out. */
    public record Ctr(String command, int exitCode, String output) {
        @Override
        public String toString() {
            return command + " exited with " + exitCode + ":\n" + output;
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY.toNanos();
        Ctr last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("containerd exited with " + process.exitValue() + ":\n" + logText());
            }
            if (Files.exists(socket)) {
                last = ctr("version");
                if (last.exitCode() == 0) {
                    return;
                }
            }
            LocalProcesses.pause(Duration.ofMillis(100));
        }
        close();
        throw new IllegalStateException("containerd did not answer 'ctr version' within " + READY + " (" + last + "):\n" + logText());
    }

    @Override
    public void close() {
        LocalProcesses.stop(process, Duration.ofSeconds(10));
    }
}
