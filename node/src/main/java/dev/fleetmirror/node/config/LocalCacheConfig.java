package dev.fleetmirror.node.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code localcache:} section: a directory on the node's own disk that keeps copies of blobs it
 * served from remote storage, so that repeated pulls are sent from local files (zero-copy) instead
 * of being read from S3 again. Bounded by {@code maxsize}; the least recently served go first.
 *
 * <p>On by default when storage is S3 (with filesystem storage blobs are local files already):
 * without a {@code directory}, copies go to {@code fleetmirror-localcache} beside the spool
 * directory (the node's only local data path), and without a {@code maxsize} the tier takes a tenth
 * of the free space found there at start, at most {@link #DEFAULT_CAP}. {@code enabled: false} turns
 * it off.
 *
 * <pre>
 * localcache:
 *   enabled: true                   # default
 *   directory: /var/cache/fleetmirror
 *   maxsize: 50GiB
 * </pre>
 */
public record LocalCacheConfig(Path directory, long maxBytes) {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b?|b)?");
    /** The default size's ceiling: ample for a fleet's working set of images, small beside a node's disk. */
    public static final long DEFAULT_CAP = 50L << 30;
    /** The default size's floor, when the disk is nearly full: a few layers still fit. */
    static final long DEFAULT_FLOOR = 256L << 20;
    static final String DEFAULT_DIRECTORY_NAME = "fleetmirror-localcache";

    public LocalCacheConfig {
        Objects.requireNonNull(directory, "directory");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
    }

    /**
     * @param remoteStorage whether blobs live in remote storage (S3), where the tier is on by default
     * @param spoolDirectory the proxy's spool directory, beside which the default directory goes
     */
    static Optional<LocalCacheConfig> read(ConfigTree tree, boolean remoteStorage, Path spoolDirectory) {
        Optional<String> directory = tree.text("localcache.directory").map(String::trim).filter(d -> !d.isEmpty());
        Optional<String> size = tree.text("localcache.maxsize");
        if (!tree.bool("localcache.enabled", true)) {
            return Optional.empty();
        }
        if (directory.isEmpty() && !remoteStorage) {
            if (size.isPresent()) {
                throw new ConfigException("localcache.directory", "localcache.maxsize is set but no directory is"
                        + " (with filesystem storage the tier is off unless a directory is given)");
            }
            return Optional.empty();
        }
        Path dir = directory.map(Path::of).orElseGet(() -> defaultDirectory(spoolDirectory));
        long max = size.map(v -> parseSize("localcache.maxsize", v)).orElseGet(() -> defaultSize(dir));
        return Optional.of(new LocalCacheConfig(dir, max));
    }

    static Path defaultDirectory(Path spoolDirectory) {
        Path absolute = spoolDirectory.toAbsolutePath();
        return absolute.getParent() == null ? absolute.resolve(DEFAULT_DIRECTORY_NAME)
                : absolute.resolveSibling(DEFAULT_DIRECTORY_NAME);
    }

    /** A tenth of the free space where {@code directory} is (or would be), between the floor and the cap. */
    static long defaultSize(Path directory) {
        Path existing = directory.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        long free;
        try {
            free = existing == null ? 0 : Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            free = 0;
        }
        return Math.min(DEFAULT_CAP, Math.max(DEFAULT_FLOOR, free / 10));
    }

    /** {@code 500MB}, {@code 20GiB}, {@code 1.5TB}, or plain bytes. */
    static long parseSize(String key, String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(key, "'" + value + "' is not a size; use e.g. 500MB, 20GiB or 1TB");
        }
        double number = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        boolean binary = unit.contains("i");
        double base = binary ? 1024 : 1000;
        int power = switch (unit.charAt(0)) {
            case 'k' -> 1;
            case 'm' -> 2;
            case 'g' -> 3;
            case 't' -> 4;
            default -> 0;
        };
        long bytes = (long) (number * Math.pow(base, power));
        if (bytes <= 0) {
            throw new ConfigException(key, "'" + value + "' must be more than 0 bytes");
        }
        return bytes;
    }
}
