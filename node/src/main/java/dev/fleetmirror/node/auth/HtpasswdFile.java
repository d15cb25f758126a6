package dev.fleetmirror.node.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An htpasswd file that is read again when its modification time or size changes, so users can
 * be added or removed without a restart. Every method does file I/O: call it off the event loop.
 */
public final class HtpasswdFile {
    private static final Logger LOG = LoggerFactory.getLogger(HtpasswdFile.class);
    private final Path path;
    private volatile Htpasswd users;
    private FileTime modified;
    private long size = -1;

    public HtpasswdFile(Path path) {
        this.path = path;
        if (!reloadIfChanged()) {
            throw new UncheckedIOException(new IOException("cannot read the htpasswd file " + path));
        }
    }

    /** Reads the file again if it changed; true when the users now loaded are the file's. */
    public synchronized boolean reloadIfChanged() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (users != null && attributes.lastModifiedTime().equals(modified) && attributes.size() == size) {
                return true;
            }
            Htpasswd read = Htpasswd.parse(Files.readString(path), path.toString());
            boolean first = users == null;
            users = read;
            modified = attributes.lastModifiedTime();
            size = attributes.size();
            LOG.info("{} the htpasswd file {}: {} user{}", first ? "read" : "re-read", path, read.size(),
                    read.size() == 1 ? "" : "s");
            return true;
        } catch (IOException e) {
            LOG.warn("cannot read the htpasswd file {} ({}); keeping the users read before", path, e.toString());
            return false;
        }
    }

    public Htpasswd users() {
        return users;
    }
}
