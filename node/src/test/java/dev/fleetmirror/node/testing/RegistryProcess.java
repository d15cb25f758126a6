package dev.fleetmirror.node.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A registry running as a separate process on a loopback port, stopped by its own pid on
 * {@link #close()}. Fleet Mirror ({@link NodeProcess}) and CNCF Distribution
 * ({@link DistributionProcess}) both implement it, so a suite written against the HTTP API can be
 * pointed at the reference implementation to check the suite itself.
 */
public interface RegistryProcess extends AutoCloseable {

    /** {@code http://127.0.0.1:port} */
    URI baseUri();

    /** {@code 127.0.0.1:port}, as skopeo wants it. */
    String hostAndPort();

    /** The {@code storage.filesystem.rootdirectory} the process serves. */
    Path storageRoot();

    long pid();

    /** What the process printed so far, for failure messages. */
    String logText();

    /**
     * Copies what the process printed to {@code target/it-logs/<name>.log}, so a failed CI run
     * still shows the server's side after the temporary directory is gone.
     */
    default void keepLog(String name) {
        try {
            Path dir = Path.of("target", "it-logs");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".log"), logText());
        } catch (IOException e) {
            // diagnostics only: never fail a test for them
        }
    }

    @Override
    void close();
}
