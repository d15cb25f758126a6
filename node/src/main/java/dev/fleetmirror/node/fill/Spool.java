package dev.fleetmirror.node.fill;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The local file one download of a blob is written into while any number of readers tail it. A
 * reader sees bytes as soon as they are appended, except the very last one: it is released only
 * when the writer declares the content verified ({@link #complete()}). A reader of content that
 * turns out not to match its digest therefore never receives a whole body; it fails instead
 * ({@link #fail}), and a client whose response had a Content-Length sees a broken transfer.
 *
 * <p>One writer thread appends; readers block on their own (worker) threads, never on an event
 * loop. The file is deleted once the spool is {@link #retire() retired} and its last reader closed;
 * complete content that is to last (the local tier's copies) is {@link #copyTo written anew} first.
 */
public final class Spool {
    private enum State { FILLING, COMPLETE, FAILED }

    /** The writes of {@link #copyTo}: large enough that the page cache holds the copy in large folios. */
    private static final int COPY_PIECE = 1 << 20;

    private final Path file;
    private final FileChannel channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long written;
    private State state = State.FILLING;
    private Throwable failure;
    private int readers;
    private boolean retired;
    private boolean closed;

    private Spool(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Creates an empty spool file in {@code directory}. Blocks. */
    public static Spool create(Path directory) {
        try {
            Files.createDirectories(directory);
            Path file = Files.createTempFile(directory, "fill-", ".spool");
            return new Spool(file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a spool file in " + directory, e);
        }
    }

    public Path file() {
        return file;
    }

    /** Bytes appended so far. */
    public long written() {
        lock.lock();
        try {
            return written;
        } finally {
            lock.unlock();
        }
    }

    /** Appends bytes at the end. Called by the single writer, on a thread that may block. */
    public void append(byte[] bytes, int offset, int length) {
        long position = written();
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        try {
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing spool file " + file + " failed", e);
        }
        lock.lock();
        try {
            written += length;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the content is whole and verified. */
    public boolean isComplete() {
        lock.lock();
        try {
            return state == State.COMPLETE;
        } finally {
            lock.unlock();
        }
    }

    /** The content is whole and verified: readers get the last byte and then the end of stream. */
    public void complete() {
        transition(State.COMPLETE, null);
    }

    /** The content is unusable: every reader's next read fails with {@code cause} as its cause. */
    public void fail(Throwable cause) {
        transition(State.FAILED, cause);
    }

    private void transition(State next, Throwable cause) {
        lock.lock();
        try {
            if (state == State.FILLING) {
                state = next;
                failure = cause;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the complete content anew to {@code target} (a file beside the spool's, renamed into
     * place), in pieces of 1 MiB. Not a rename of the spool file: that was written in the pieces the
     * network delivered (8-64 KiB), and Linux caches a file's pages in folios as large as the writes
     * that made them (ext4, XFS). sendfile(2) of a file cached in small folios costs about 1.4x the
     * CPU per byte (0.30 against 0.21 s/GB on loopback, bench/warm.md), and the tier's copies are
     * sent from the page cache again and again. Readers go on reading the spool, which goes as
     * always once retired and unread. Blocks.
     *
     * @throws IllegalStateException when the content is not complete
     */
    public void copyTo(Path target) throws IOException {
        long size;
        lock.lock();
        try {
            if (state != State.COMPLETE || closed) {
                throw new IllegalStateException("spool " + file + " is not complete");
            }
            // Counted as a reader: the channel stays open while the copy reads it.
            readers++;
            size = written;
        } finally {
            lock.unlock();
        }
        Path copy = Files.createTempFile(file.getParent(), "copy-", ".data");
        try (FileChannel out = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ByteBuffer piece = ByteBuffer.allocateDirect((int) Math.min(COPY_PIECE, Math.max(1, size)));
            for (long position = 0; position < size; ) {
                piece.clear().limit((int) Math.min(piece.capacity(), size - position));
                while (piece.hasRemaining()) {
                    if (channel.read(piece, position + piece.position()) < 0) {
                        throw new IOException("spool file " + file + " is shorter than its " + size + " bytes");
                    }
                }
                piece.flip();
                while (piece.hasRemaining()) {
                    position += out.write(piece, position);
                }
            }
            out.close();
            Files.move(copy, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(copy);
            throw e;
        } finally {
            lock.lock();
            try {
                readers--;
                closeIfUnused();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * No new reader will be opened: the file goes once the open ones are closed. A spool retired
     * while still filling is failed first, so nobody waits for bytes that will never come.
     */
    public void retire() {
        fail(new IOException("the fill of " + file.getFileName() + " was abandoned"));
        lock.lock();
        try {
            retired = true;
            closeIfUnused();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A reader from {@code offset}. Reads block until bytes are there, the content is complete, or
     * the spool failed (then they throw an IOException whose cause is the failure).
     *
     * @throws IllegalStateException when the spool is already retired
     */
    public InputStream reader(long offset) {
        lock.lock();
        try {
            if (retired) {
                throw new IllegalStateException("spool " + file + " is retired");
            }
            readers++;
        } finally {
            lock.unlock();
        }
        return new Reader(offset);
    }

    private void closeIfUnused() {
        if (retired && readers == 0 && !closed) {
            closed = true;
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover spool file wastes disk but misleads nobody: no registry entry points at it.
            }
        }
    }

    private final class Reader extends OffsetStream {
        private boolean open = true;

        Reader(long offset) {
            super(offset);
        }

        @Override
        protected int readAt(long position, byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            long readable = awaitReadable();
            if (readable <= position) {
                return -1;
            }
            int want = (int) Math.min(length, readable - position);
            return channel.read(ByteBuffer.wrap(bytes, offset, want), position);
        }

        /** How far this reader may read; equal to its position only at the end of the content. */
        private long awaitReadable() throws IOException {
            lock.lock();
            try {
                while (true) {
                    if (!open) {
                        throw new IOException("reader is closed");
                    }
                    if (state == State.FAILED) {
                        throw new IOException("the download failed: " + failure.getMessage(), failure);
                    }
                    if (state == State.COMPLETE) {
                        return written;
                    }
                    if (written - 1 > position()) {
                        return written - 1;
                    }
                    changed.await(1, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the download", e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (open) {
                    open = false;
                    readers--;
                    closeIfUnused();
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
