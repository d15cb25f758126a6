package dev.fleetmirror.node.config;

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
 * <pre>
 * localcache:
 *   directory: /var/cache/fleetmirror
 *   maxsize: 50GiB
 * </pre>
 */
public record LocalCacheConfig(Path directory, long maxBytes) {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b?|b)?");

    public LocalCacheConfig {
        Objects.requireNonNull(directory, "directory");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
    }

    static Optional<LocalCacheConfig> read(ConfigTree tree) {
        Optional<String> directory = tree.text("localcache.directory").map(String::trim).filter(d -> !d.isEmpty());
        Optional<String> size = tree.text("localcache.maxsize");
        if (directory.isEmpty()) {
            if (size.isPresent()) {
                throw new ConfigException("localcache.directory", "localcache.maxsize is set but no directory is");
            }
            return Optional.empty();
        }
        long max = size.map(v -> parseSize("localcache.maxsize", v)).orElse(10L << 30);
        return Optional.of(new LocalCacheConfig(Path.of(directory.get()), max));
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
