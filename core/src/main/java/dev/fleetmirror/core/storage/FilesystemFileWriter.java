package dev.fleetmirror.core.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A {@link FileWriter} writing straight into the target file, as Distribution's filesystem writer does. */
final class FilesystemFileWriter implements FileWriter {
    private final String path;
    private final Path file;
    private final FilesystemDirectories directories;
    private FileChannel channel;
    private long size;
    private boolean finished;

    private FilesystemFileWriter(String path, Path file, FilesystemDirectories directories, FileChannel channel)
            throws IOException {
        this.path = path;
        this.file = file;
        this.directories = directories;
        this.channel = channel;
        this.size = channel.size();
    }

    static FilesystemFileWriter open(String path, Path file, boolean append, FilesystemDirectories directories)
            throws IOException {
        FileChannel channel = append
                ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
        try {
            channel.position(channel.size());
            return new FilesystemFileWriter(path, file, directories, channel);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        requireOpen();
        try {
            writeFully(channel, bytes, offset, length);
        } catch (IOException e) {
            size = sizeOnDisk();
            throw FilesystemDriver.failure(path, "write", e);
        }
        size += length;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void commit() {
        requireOpen();
        try {
            channel.force(true);
            channel.close();
        } catch (IOException e) {
            throw FilesystemDriver.failure(path, "commit", e);
        } finally {
            finished = true;
            channel = null;
        }
    }

    @Override
    public void cancel() {
        requireOpen();
        finished = true;
        try {
            channel.close();
            Files.deleteIfExists(file);
            directories.pruneEmptyParents(file);
        } catch (IOException e) {
            throw FilesystemDriver.failure(path, "cancel", e);
        } finally {
            channel = null;
        }
    }

    @Override
    public void close() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw FilesystemDriver.failure(path, "close", e);
        } finally {
            finished = true;
            channel = null;
        }
    }

    /** After a failed write part of it may be on disk: the file's size is the truth. */
    private long sizeOnDisk() {
        try {
            return channel.size();
        } catch (IOException e) {
            return size;
        }
    }

    private void requireOpen() {
        if (finished || channel == null) {
            throw new IllegalStateException("writer for " + path + " is already committed, cancelled or closed");
        }
    }

    static void writeFully(FileChannel channel, byte[] bytes, int offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
