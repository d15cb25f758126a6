package dev.fleetmirror.node.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code tools/mkimage.py}: writes reproducible synthetic OCI images (random, incompressible
 * layers) into an OCI image layout, so interoperability tests push real images of a few MiB
 * without any network.
 */
public final class SyntheticImages {
    private final Path layout;

    public SyntheticImages(Path layout) {
        this.layout = layout;
    }

    public Path layout() {
        return layout;
    }

    public static Path script() {
        String configured = System.getProperty("fleetmirror.mkimage");
        Path path = configured != null ? Path.of(configured) : Path.of("..", "tools", "mkimage.py");
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " does not exist: run the tests with 'mvn verify' (failsafe sets fleetmirror.mkimage)");
        }
        return path;
    }

    /** An image manifest tagged {@code tag} in the layout, one layer per size; returns its digest. */
    public String image(String tag, long seed, String architecture, double... layerMebibytes) {
        List<String> command = new ArrayList<>(List.of("python3", script().toString(), layout.toString(), tag));
        for (double size : layerMebibytes) {
            command.add(Double.toString(size));
        }
        command.addAll(List.of("--seed", Long.toString(seed), "--arch", architecture));
        return run(command);
    }

    /** An image index (multi-arch list) over images already tagged in the layout; returns its digest. */
    public String index(String tag, String... childTags) {
        return run(List.of("python3", script().toString(), layout.toString(), tag, "--index-of", String.join(",", childTags)));
    }

    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.toHandle().destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
            return output.trim().split("\\s+")[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
