package dev.fleetmirror.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Debian's {@code docker-registry garbage-collect --dry-run} over a filesystem root: Distribution's own reading of our layout. */
public final class DistributionGarbageCollect {
    public static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private DistributionGarbageCollect() {
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** The dry run's whole output; fails the test when it does not exit 0. */
    public static String dryRun(Path root) throws IOException, InterruptedException {
        Path config = Files.writeString(Files.createTempFile("distribution-gc", ".yml"), """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                """.formatted(root));
        Process process = new ProcessBuilder(BINARY.toString(), "garbage-collect", "--dry-run", config.toString())
                .redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            return output;
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(config);
        }
    }

    /** The digests a dry run names as "blob eligible for deletion". */
    public static Set<String> eligible(String output) {
        Set<String> eligible = new TreeSet<>();
        Matcher m = Pattern.compile("blob eligible for deletion: (sha256:[0-9a-f]{64})").matcher(output);
        while (m.find()) {
            eligible.add(m.group(1));
        }
        return eligible;
    }
}
