package dev.fleetmirror.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.node.Main;
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
    void missingConfigFileFailsWithItsName(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yml");
        assertThat(run(new CommandLine(new ServeCommand(Map.of())), missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("invalid configuration").contains(missing.toString());
    }
}
