package dev.fleetmirror.node.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration examples of the project's README.md, each between
 * {@code <!-- client-setup:NAME -->} and {@code <!-- /client-setup:NAME -->}, so that the tests
 * run what a reader copies rather than a copy of their own that could drift from it.
 */
final class ReadmeBlocks {
    /** The host and port the examples use for the node; tests put the node they started there. */
    static final String MIRROR = "mirror.example:5000";

    private ReadmeBlocks() {
    }

    /** The code inside the fenced block between the markers named {@code name}. */
    static String block(String name) {
        String text = readme();
        String open = "<!-- client-setup:" + name + " -->";
        String close = "<!-- /client-setup:" + name + " -->";
        int start = text.indexOf(open);
        int end = text.indexOf(close);
        if (start < 0 || end < start) {
            throw new AssertionError("README.md has no block between " + open + " and " + close);
        }
        String marked = text.substring(start + open.length(), end).strip();
        if (!marked.startsWith("```") || !marked.endsWith("```")) {
            throw new AssertionError("the README block " + name + " is not one fenced code block:\n" + marked);
        }
        return marked.substring(marked.indexOf('\n') + 1, marked.length() - 3);
    }

    private static String readme() {
        // Surefire runs in node/, an IDE may run in the repository root: take the nearest README.md.
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path readme = dir.resolve("README.md");
            if (Files.isRegularFile(readme) && Files.isRegularFile(dir.resolve("node/pom.xml"))) {
                try {
                    return Files.readString(readme);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("no README.md above " + Path.of("").toAbsolutePath());
    }
}
