package dev.fleetmirror.storage.s3.testing;

import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.storage.s3.S3StorageConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 endpoint for tests: S3Proxy 3.2.0 with its filesystem backend, started as a separate
 * JVM (its ~150 jars stay off the test classpath) on a free loopback port, and stopped by its own
 * process id. Buckets are directories under {@link #dataDirectory()}, which is also how tests put
 * files where S3Proxy serves them without going through S3.
 *
 * <p>The classpath comes from the resource {@code fleetmirror/s3proxy.classpath}, which the module
 * {@code s3proxy-runtime} writes at build time.
 */
public final class S3ProxyProcess implements AutoCloseable {
    public static final String ACCESS_KEY = "fleetmirror-test";
    public static final String SECRET_KEY = "fleetmirror-test-secret";
    private static final String CLASSPATH_RESOURCE = "/fleetmirror/s3proxy.classpath";

    private final Path workDir;
    private final int port;
    private final List<String> jvmArgs;
    private Process process;

    private S3ProxyProcess(Path workDir, int port, List<String> jvmArgs) {
        this.workDir = workDir;
        this.port = port;
        this.jvmArgs = jvmArgs;
    }

    /** Starts S3Proxy with data under {@code workDir/data}; small heap, quick start-up, for tests. */
    public static S3ProxyProcess start(Path workDir) {
        return start(workDir, List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
    }

    /** Takes another free port when another process bound the first before S3Proxy could. */
    public static S3ProxyProcess start(Path workDir, List<String> jvmArgs) {
        for (int attempt = 1; ; attempt++) {
            S3ProxyProcess proxy = new S3ProxyProcess(workDir.toAbsolutePath(), LocalProcesses.freeLoopbackPort(),
                    List.copyOf(jvmArgs));
            try {
                proxy.launch();
                return proxy;
            } catch (PortTaken e) {
                proxy.close();
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** Another process listens on the port S3Proxy was to bind. */
    private static final class PortTaken extends IllegalStateException {
        PortTaken(String message) {
            super(message);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** Where the filesystem backend keeps buckets (one directory each) and their objects (files). */
    public Path dataDirectory() {
        return workDir.resolve("data");
    }

    public long pid() {
        return process.pid();
    }

    /** A driver config for a bucket of this endpoint, path-style, with the defaults otherwise. */
    public S3StorageConfig config(String bucket) {
        return S3StorageConfig.of(bucket, endpoint(), ACCESS_KEY, SECRET_KEY);
    }

    /** A plain SDK client for assertions that look at the bucket behind the driver's back. */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder())
                .build();
    }

    public void createBucket(String bucket) {
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    /** Kills the process at once (SIGKILL), as a crash would; {@link #restart()} brings it back. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(20));
    }

    /** Starts it again on the same port with the same data. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("S3Proxy (pid " + process.pid() + ") is still running");
        }
        launch();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            LocalProcesses.stop(process, Duration.ofSeconds(10));
        }
    }

    private void launch() {
        try {
            Files.createDirectories(dataDirectory());
            Path properties = workDir.resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=" + endpoint(),
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.filesystem.basedir=" + dataDirectory(),
                    ""));
            Path logback = workDir.resolve("s3proxy-logback.xml");
            Files.writeString(logback, """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
                      </appender>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            command.add("-Dlogback.configurationFile=" + logback);
            command.addAll(List.of("-cp", classpath(), "org.gaul.s3proxy.Main", "--properties", properties.toString()));
            Path log = workDir.resolve("s3proxy.log");
            process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            awaitReady(LocalProcesses.READY_WITHIN, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(Duration timeout, Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String message = "S3Proxy exited with " + process.exitValue() + ":\n" + tail(log);
                // S3Proxy's words when the port is bound already.
                throw message.contains("Failed to bind") ? new PortTaken(message) : new IllegalStateException(message);
            }
            if (answers() && listensHere()) {
                return;
            }
            LocalProcesses.pause(Duration.ofMillis(100));
        }
        close();
        throw new IllegalStateException("S3Proxy did not answer on " + endpoint() + " within " + timeout + ":\n" + tail(log));
    }

    /** Any HTTP status line means Jetty is serving (an anonymous GET gets 403). */
    private boolean answers() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] status = socket.getInputStream().readNBytes(12);
            return new String(status, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 ");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether this process holds the listening socket: the free port can be taken by another
     * process (another test JVM's server) before S3Proxy binds it, and that one would answer the
     * probe. Read from /proc; where there is none, the probe's answer has to do.
     */
    private boolean listensHere() {
        List<Path> tables = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
        if (!Files.isReadable(tables.get(0))) {
            return true;
        }
        try {
            // Listening sockets on the port, IPv4 or dual-stack (Java binds 127.0.0.1 as ::ffff:127.0.0.1).
            String portHex = String.format(":%04X", port);
            List<String> sockets = new ArrayList<>();
            for (Path table : tables) {
                if (!Files.isReadable(table)) {
                    continue;
                }
                for (String line : Files.readAllLines(table)) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 9 && fields[1].endsWith(portHex) && fields[3].equals("0A")) {
                        sockets.add("socket:[" + fields[9] + "]");
                    }
                }
            }
            if (sockets.isEmpty()) {
                return false;
            }
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
                return fds.anyMatch(fd -> {
                    try {
                        return sockets.contains(Files.readSymbolicLink(fd).toString());
                    } catch (IOException e) {
                        return false; // closed meanwhile
                    }
                });
            }
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    private boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String classpath() throws IOException {
        try (InputStream in = S3ProxyProcess.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + CLASSPATH_RESOURCE + " is missing: depend on "
                        + "dev.fleetmirror:fleetmirror-s3proxy-runtime (test scope, exclusion *:*)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
