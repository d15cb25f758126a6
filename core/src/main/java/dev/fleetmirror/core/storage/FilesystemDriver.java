package dev.fleetmirror.core.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link StorageDriver} on a local directory, laid out exactly as Distribution's filesystem driver
 * lays it out, so a {@code registry:2} data directory is served as it is.
 *
 * <p>Small files ({@link #putContent}) are replaced atomically: written to a temporary file beside
 * the target, fsynced, then renamed over it, so a reader on another node sharing the directory never
 * sees half a link file. Writers write in place like Distribution's, which is what lets a later
 * writer (on any node sharing the directory) append to an upload another one closed.
 */
public final class FilesystemDriver implements StorageDriver {

    /** Temporary files of {@link #putContent} start with this and are never listed. */
    static final String TEMP_PREFIX = ".fleetmirror-tmp-";

    private final Path root;
    private final FilesystemDirectories directories;

    public FilesystemDriver(Path root) {
        try {
            this.root = Files.createDirectories(root).toRealPath();
        } catch (IOException e) {
            throw new StorageUnavailableException(root.toString(), "cannot use " + root + " as storage root: " + e, e);
        }
        this.directories = new FilesystemDirectories(this.root);
    }

    @Override
    public String name() {
        return "filesystem";
    }

    @Override
    public byte[] getContent(String path) {
        Path file = resolve(StoragePath.requireValidFile(path));
        if (Files.isDirectory(file)) {
            throw new PathNotFoundException(path);
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw failure(path, "read", e);
        }
    }

    @Override
    public void putContent(String path, byte[] content) {
        Path file = resolve(StoragePath.requireValidFile(path));
        Path dir = file.getParent();
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        boolean moved = false;
        try {
            try (FileChannel channel = directories.createIn(dir, () -> FileChannel.open(temp,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
                FilesystemFileWriter.writeFully(channel, content, 0, content.length);
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } catch (IOException e) {
            throw failure(path, "write", e);
        } finally {
            if (!moved) {
                deleteQuietly(temp);
            }
        }
    }

    @Override
    public InputStream reader(String path, long offset) {
        Path file = resolve(StoragePath.requireValidFile(path));
        if (Files.isDirectory(file)) {
            throw new PathNotFoundException(path);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            if (offset < 0 || offset > channel.size()) {
                throw new InvalidOffsetException(path, offset);
            }
            channel.position(offset);
            InputStream in = Channels.newInputStream(channel);
            channel = null;
            return in;
        } catch (IOException e) {
            throw failure(path, "open", e);
        } finally {
            closeQuietly(channel);
        }
    }

    @Override
    public FileWriter writer(String path, boolean append) {
        Path file = resolve(StoragePath.requireValidFile(path));
        try {
            return directories.createIn(file.getParent(), () -> FilesystemFileWriter.open(path, file, append, directories));
        } catch (IOException e) {
            throw failure(path, "open for writing", e);
        }
    }

    @Override
    public FileInfo stat(String path) {
        Path file = resolve(StoragePath.requireValid(path));
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            boolean directory = attributes.isDirectory();
            return new FileInfo(path, directory ? 0 : attributes.size(),
                    attributes.lastModifiedTime().toInstant(), directory);
        } catch (IOException e) {
            throw failure(path, "stat", e);
        }
    }

    @Override
    public List<String> list(String path) {
        Path dir = resolve(StoragePath.requireValid(path));
        List<String> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(TEMP_PREFIX)) {
                    children.add(StoragePath.child(path, name));
                }
            }
        } catch (NotDirectoryException e) {
            throw new PathNotFoundException(path);
        } catch (IOException e) {
            throw failure(path, "list", e);
        }
        return children;
    }

    @Override
    public void move(String sourcePath, String destPath) {
        Path source = resolve(StoragePath.requireValidFile(sourcePath));
        Path dest = resolve(StoragePath.requireValidFile(destPath));
        if (!Files.exists(source)) {
            throw new PathNotFoundException(sourcePath);
        }
        try {
            directories.createIn(dest.getParent(), () -> Files.move(source, dest,
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING));
            directories.pruneEmptyParents(source);
        } catch (AtomicMoveNotSupportedException e) {
            throw new StorageException(destPath, "cannot rename " + sourcePath + " to " + destPath
                    + " atomically: both must be on one filesystem", e);
        } catch (IOException e) {
            throw failure(sourcePath, "move to " + destPath, e);
        }
    }

    @Override
    public void delete(String path) {
        Path target = resolve(StoragePath.requireValidFile(path));
        try {
            BasicFileAttributes attributes = Files.readAttributes(target, BasicFileAttributes.class);
            if (!attributes.isDirectory()) {
                Files.delete(target);
                directories.pruneEmptyParents(target);
                return;
            }
            Files.walkFileTree(target, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
            directories.pruneEmptyParents(target);
        } catch (IOException e) {
            throw failure(path, "delete", e);
        }
    }

    @Override
    public Optional<Path> localFile(String path) {
        Path file = resolve(StoragePath.requireValidFile(path));
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** The root directory this driver stores under. */
    public Path root() {
        return root;
    }

    @Override
    public String toString() {
        return "FilesystemDriver[" + root + "]";
    }

    private Path resolve(String path) {
        Path resolved = root.resolve(path.substring(1)).normalize();
        if (!resolved.startsWith(root)) {
            throw new InvalidPathException(path);
        }
        return resolved;
    }

    /** Maps an IO error to the typed exception a caller can switch on. */
    static StorageException failure(String path, String operation, IOException e) {
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException) {
            return new PathNotFoundException(path);
        }
        if (e instanceof FileSystemException fse && "Not a directory".equals(fse.getReason())) {
            return new PathNotFoundException(path);
        }
        return new StorageException(path, "filesystem storage failed to " + operation + " " + path + ": " + e, e);
    }

    private static void syncDirectory(Path dir) {
        // Makes the rename itself durable; some platforms cannot open a directory, which only costs durability.
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            return;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            return;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                return;
            }
        }
    }
}
