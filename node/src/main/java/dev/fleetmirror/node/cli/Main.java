package dev.fleetmirror.node.cli;

import picocli.CommandLine;

/** Command-line entry point: {@code java -jar fleetmirror.jar serve [config.yml]}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        // A serving node returns 0 and lives on in Vert.x's threads; anything else is finished.
        if (code != 0) {
            System.exit(code);
        }
    }

    public static CommandLine commandLine() {
        return new CommandLine(new FleetMirrorCommand());
    }
}
