package dev.fleetmirror.core.storage;

/**
 * The syntax every backend enforces on storage paths before touching anything, so that no path can
 * name something outside the driver's root whatever the backend makes of separators and dots.
 */
public final class StoragePath {
    public static final String ROOT = "/";

    private StoragePath() {
    }

    /**
     * Returns {@code path} when it is {@code /} or {@code /}-separated non-empty components, none of
     * them {@code .} or {@code ..}, without backslashes or control characters.
     *
     * @throws InvalidPathException otherwise
     */
    public static String requireValid(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            throw new InvalidPathException(String.valueOf(path));
        }
        if (path.equals(ROOT)) {
            return path;
        }
        int componentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                String component = path.substring(componentStart, i);
                if (component.isEmpty() || component.equals(".") || component.equals("..")) {
                    throw new InvalidPathException(path);
                }
                componentStart = i + 1;
                continue;
            }
            char c = path.charAt(i);
            if (c == '\\' || c < 0x20 || c == 0x7f) {
                throw new InvalidPathException(path);
            }
        }
        return path;
    }

    /** Like {@link #requireValid} but also refuses the root, for operations that replace or remove a file. */
    public static String requireValidFile(String path) {
        if (ROOT.equals(requireValid(path))) {
            throw new InvalidPathException(path);
        }
        return path;
    }

    /** The last component of a valid, non-root path. */
    public static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Joins a valid directory path and a child name. */
    public static String child(String dir, String name) {
        return ROOT.equals(dir) ? ROOT + name : dir + "/" + name;
    }
}
