package dev.fleetmirror.node.cli;

import picocli.CommandLine.Command;

/** {@code fleetmirror}: the top-level command; its subcommands do the work. */
@Command(name = "fleetmirror",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Fleet Mirror: an OCI distribution registry, pull-through cache and private registry.",
        subcommands = {ServeCommand.class, GcCommand.class, ModeCommand.class, WarmCommand.class})
public final class FleetMirrorCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a command is required, e.g. 'serve'");
    }
}
