package dev.fleetmirror.node.testing;

import dev.fleetmirror.core.testing.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's nginx as a process of its own, in a prefix directory of its own, for the multi-process
 * tests: as a round-robin load balancer in front of nodes, and in front of an upstream registry, where
 * its access log is the measure of what crossed the upstream link. Its log format
 * ({@link #LOG_FORMAT}, named {@code requests}) is the one {@link NginxAccessLog} reads.
 * {@link #close()} stops the master process and its workers by their pids.
 */
public final class NginxProcess implements AutoCloseable {
    public static final Path BINARY = Path.of(System.getProperty("fleetmirror.nginx", "/usr/sbin/nginx"));

    /**
     * Status and bytes sent to the client first (what was served, how much of it), then the request
     * line and the backend(s) tried, quoted because both contain spaces.
     */
    public static final String LOG_FORMAT = "log_format requests '$status $bytes_sent \"$request\" \"$upstream_addr\"';";

    private final Process process;
    private final Path prefix;

    private NginxProcess(Process process, Path prefix) {
        this.process = process;
        this.prefix = prefix;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public static String absentReason() {
        return BINARY + " is not installed (Debian package 'nginx'; .ci/run installs it)";
    }

    /**
     * Starts nginx with {@code httpDirectives} inside its {@code http} block, and waits until every
     * port of {@code ports} accepts connections.
     *
     * @param prefix         its directory (config, pid, logs, temp files); access logs written to a
     *                       relative path such as {@code logs/access.log} land under it
     * @param httpDirectives {@code upstream}s and {@code server}s; every server must listen on 127.0.0.1
     */
    public static NginxProcess start(Path prefix, String httpDirectives, List<Integer> ports) {
        if (!available()) {
            throw new IllegalStateException(absentReason());
        }
        try {
            Path dir = prefix.toAbsolutePath();
            Files.createDirectories(dir.resolve("logs"));
            Path config = dir.resolve("nginx.conf");
            // Started by root, nginx runs its workers as 'nobody', who cannot enter a test's private
            // temporary directory; the workers only ever talk to loopback.
            String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
            Files.writeString(config, user + """
                    worker_processes 1;
                    daemon off;
                    error_log %1$s/logs/error.log warn;
                    pid %1$s/nginx.pid;
                    events { worker_connections 1024; }
                    http {
                      %2$s
                      client_body_temp_path %1$s/body;
                      proxy_temp_path %1$s/proxy;
                      fastcgi_temp_path %1$s/fastcgi;
                      uwsgi_temp_path %1$s/uwsgi;
                      scgi_temp_path %1$s/scgi;
                    %3$s
                    }
                    """.formatted(dir, LOG_FORMAT, httpDirectives.indent(2)));
            ProcessBuilder builder = new ProcessBuilder(BINARY.toString(), "-p", dir.toString(), "-c", config.toString(),
                    "-e", dir.resolve("logs/error.log").toString())
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("logs/stdout.log").toFile());
            ProcessEnvironment.sanitize(builder.environment());
            NginxProcess nginx = new NginxProcess(builder.start(), dir);
            nginx.awaitListening(ports, Duration.ofSeconds(20));
            return nginx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file nginx writes under its prefix, such as {@code logs/access.log}. */
    public Path file(String relative) {
        return prefix.resolve(relative);
    }

    /** The parsed access log at {@code relative} (written with format {@code requests}). */
    public NginxAccessLog accessLog(String relative) {
        return NginxAccessLog.read(file(relative));
    }

    public long pid() {
        return process.pid();
    }

    /** The error log, for failure messages. */
    public String errorLog() {
        try {
            return Files.readString(file("logs/error.log"));
        } catch (IOException e) {
            return "(no error log: " + e + ")";
        }
    }

    private void awaitListening(List<Integer> ports, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int port : ports) {
            while (!accepts(port)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String why = process.isAlive() ? "does not listen on " + port + " after " + timeout
                            : "exited with " + process.exitValue();
                    close();
                    throw new IllegalStateException("nginx " + why + ":\n" + errorLog());
                }
                LocalProcesses.pause(Duration.ofMillis(50));
            }
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        LocalProcesses.stop(process, Duration.ofSeconds(5));
    }
}
