package dev.fleetmirror.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(CommandLine commandLine, String... args) {
        commandLine.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void helpListsTheServeCommand() {
        assertThat(run(Main.commandLine(), "--help")).isZero();
        assertThat(out.toString()).contains("Usage: fleetmirror").contains("serve").contains("--version");
    }

    @Test
    void serveHelpExplainsConfigAndExposure() {
        assertThat(run(Main.commandLine(), "serve", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: fleetmirror serve").contains("[CONFIG]").contains("REGISTRY_")
                .contains("127.0.0.1:5000");
    }

    @Test
    void versionIsPrintedByEveryCommand() {
        assertThat(run(Main.commandLine(), "--version")).isZero();
        assertThat(run(Main.commandLine(), "serve", "--version")).isZero();
        assertThat(out.toString()).contains("fleetmirror ");
    }

    @Test
    void missingCommandIsAUsageError() {
        assertThat(run(Main.commandLine())).isNotZero();
        assertThat(err.toString()).contains("serve");
    }

    @Test
    void logLevelSetsTheRootLogger() {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level before = root.getLevel();
        try {
            LogLevels.apply(dev.fleetmirror.node.config.LogConfig.Level.DEBUG);
            assertThat(root.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG);
            LogLevels.apply(dev.fleetmirror.node.config.LogConfig.Level.ERROR);
            assertThat(root.getLevel()).isEqualTo(ch.qos.logback.classic.Level.ERROR);
        } finally {
            root.setLevel(before);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void serveOnAnOccupiedPortExitsNonZeroPromptly(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path config = dir.resolve("config.yml");
            java.nio.file.Files.writeString(config, """
                    version: 0.1
                    http:
                      addr: 127.0.0.1:%d
                    storage:
                      filesystem:
                        rootdirectory: %s
                    """.formatted(taken.getLocalPort(), dir.resolve("storage")));
            assertThat(run(new CommandLine(new ServeCommand(Map.of())), config.toString())).isEqualTo(1);
        }
    }

    @Test
    void invalidConfigValueFailsNamingTheKey(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("config.yml");
        java.nio.file.Files.writeString(config, "storage:\n  delete:\n    enabled: sometimes\n");
        assertThat(run(new CommandLine(new ServeCommand(Map.of())), config.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("storage.delete.enabled").contains("sometimes");
    }

    @Test
    void missingConfigFileFailsWithItsName(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yml");
        assertThat(run(new CommandLine(new ServeCommand(Map.of())), missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("invalid configuration").contains(missing.toString());
    }
}
