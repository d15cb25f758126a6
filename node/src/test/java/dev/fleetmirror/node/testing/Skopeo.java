package dev.fleetmirror.node.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's skopeo, the real client the interoperability tests push and pull with. Each call is a
 * process of its own, killed by its pid if it outlives its timeout; a failure carries skopeo's
 * output.
 */
public final class Skopeo {
    public static final Path BINARY = Path.of(System.getProperty("fleetmirror.skopeo", "/usr/bin/skopeo"));

    private Skopeo() {
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public static String absentReason() {
        return BINARY + " is not installed (Debian package 'skopeo'; .ci/run installs it)";
    }

    /**
     * {@code skopeo copy} between two transports, e.g. {@code oci:/dir:tag} and
     * {@code docker://127.0.0.1:5000/repo:tag}; TLS verification is off on both sides because
     * every registry a test starts speaks plain HTTP on loopback.
     *
     * @param all copy every image of an index, not only the one for this platform
     */
    public static String copy(String source, String destination, boolean all) {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--insecure-policy", "copy",
                "--src-tls-verify=false", "--dest-tls-verify=false", "--retry-times", "0"));
        if (all) {
            command.add("--all");
        }
        command.add(source);
        command.add(destination);
        return run(command);
    }

    /**
     * {@code skopeo copy} as a user: {@code user:password} go to whichever side is a registry
     * ({@code docker://}), through the registry's Basic or token challenge.
     */
    public static String copyAs(String credentials, String source, String destination) {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--insecure-policy", "copy",
                "--src-tls-verify=false", "--dest-tls-verify=false", "--retry-times", "0"));
        if (source.startsWith("docker://")) {
            command.add("--src-creds=" + credentials);
        }
        if (destination.startsWith("docker://")) {
            command.add("--dest-creds=" + credentials);
        }
        command.add(source);
        command.add(destination);
        return run(command);
    }

    /**
     * {@code skopeo copy} resolving registries through {@code registriesConf} (a
     * containers-registries.conf, where mirrors are configured), as podman and CRI-O users do.
     */
    public static String copyWithRegistriesConf(Path registriesConf, String source, String destination) {
        return copyWithRegistriesConf(registriesConf, source, destination, Map.of());
    }

    /**
     * As {@link #copyWithRegistriesConf(Path, String, String)}, with more environment variables for
     * skopeo (set after the proxies were dropped, so a test can point proxies at a closed port to
     * make sure a registry other than loopback is never reached).
     */
    public static String copyWithRegistriesConf(Path registriesConf, String source, String destination,
            Map<String, String> environment) {
        return run(List.of(BINARY.toString(), "--insecure-policy", "--registries-conf", registriesConf.toString(), "copy",
                "--retry-times", "0", source, destination), environment);
    }

    private static String run(List<String> command) {
        return run(command, Map.of());
    }

    private static String run(List<String> command, Map<String, String> environment) {
        try {
            Path output = Files.createTempFile("skopeo", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
                ProcessEnvironment.sanitize(builder.environment());
                builder.environment().putAll(environment);
                Process process = builder.start();
                boolean finished = process.waitFor(180, TimeUnit.SECONDS);
                if (!finished) {
                    process.toHandle().destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
                String text = Files.readString(output);
                if (!finished || process.exitValue() != 0) {
                    throw new AssertionError(String.join(" ", command) + (finished ? " exited with " + process.exitValue() : " timed out")
                            + ":\n" + text);
                }
                return text;
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
}
