package dev.fleetmirror.node.cli;

import dev.fleetmirror.node.NodeVersion;
import picocli.CommandLine.IVersionProvider;

/** The version Maven wrote into {@code fleetmirror-version.properties} at build time. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"fleetmirror " + NodeVersion.version(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }
}
