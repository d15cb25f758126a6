package dev.fleetmirror.node.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** What a directory holds, to compare before and after a request that must change nothing. */
final class FileTree {
    private FileTree() {
    }

    /**
     * Every file and directory under {@code root} (paths relative to it) with the size and
     * modification time of each file, sorted; {@code ignored} leaves out what the node rewrites on
     * its own schedule.
     */
    static List<String> snapshot(Path root, Predicate<Path> ignored) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> !ignored.test(root.relativize(p))).map(p -> {
                try {
                    return root.relativize(p) + (Files.isDirectory(p) ? "/" : " " + Files.size(p) + " "
                            + Files.getLastModifiedTime(p).toMillis());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
