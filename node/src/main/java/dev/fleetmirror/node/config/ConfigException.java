package dev.fleetmirror.node.config;

/** A configuration that cannot be used; the message names the offending key. */
public class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, String problem) {
        super(key == null ? problem : key + ": " + problem);
        this.key = key;
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
        this.key = null;
    }

    /** The dotted key at fault, or null when the file as a whole is. */
    public String key() {
        return key;
    }
}
