package dev.fleetmirror.node;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version Maven wrote into {@code fleetmirror-version.properties} at build time. */
public final class NodeVersion {
    private NodeVersion() {
    }

    /** This build's version, or "unknown" when run from classes Maven did not filter. */
    public static String version() {
        Properties properties = new Properties();
        try (InputStream in = NodeVersion.class.getResourceAsStream("/fleetmirror-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return properties.getProperty("version", "unknown");
    }
}
