package dev.fleetmirror.node.localcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.fill.Spool;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobCacheTest {
    @TempDir
    Path dir;

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void keepsAVerifiedCopyAndFindsItAgainAfterARestart() throws Exception {
        byte[] blob = random(100_000, 1);
        Digest digest = Digest.sha256(blob);
        LocalBlobCache cache = new LocalBlobCache(dir, 1_000_000);
        assertThat(cache.file(digest)).isEmpty();
        cache.offer(digest, () -> new ByteArrayInputStream(blob));
        cache.drain();
        assertThat(cache.file(digest)).hasValueSatisfying(file -> assertThat(file).hasBinaryContent(blob));
        assertThat(cache.size()).isEqualTo(blob.length);
        cache.close();

        LocalBlobCache restarted = new LocalBlobCache(dir, 1_000_000);
        assertThat(restarted.file(digest)).hasValueSatisfying(file -> assertThat(file).hasBinaryContent(blob));
        assertThat(restarted.size()).isEqualTo(blob.length);
        restarted.close();
    }

    @Test
    void aFillsVerifiedSpoolIsKeptAfterItIsRetiredAndAnUnverifiedOneIsNot() throws Exception {
        byte[] blob = random(300_000, 7);
        Digest digest = Digest.sha256(blob);
        byte[] other = random(1_000, 8);
        LocalBlobCache cache = new LocalBlobCache(dir, 10_000_000);
        Spool verified = filled(blob, true);
        cache.adopt(digest, verified);
        // The fill is forgotten at once: the copy holds a reader, so the spool's file stays until it is written.
        verified.retire();
        // Another fill of the same blob ends meanwhile: one copy, counted once.
        Spool again = filled(blob, true);
        cache.adopt(digest, again);
        again.retire();
        Spool unverified = filled(other, false);
        cache.adopt(Digest.sha256(other), unverified);
        unverified.retire();
        cache.drain();

        assertThat(cache.file(digest)).hasValueSatisfying(file -> assertThat(file).hasBinaryContent(blob));
        assertThat(cache.file(Digest.sha256(other))).isEmpty();
        assertThat(cache.size()).isEqualTo(blob.length);
        assertThat(verified.file()).as("the retired spool's file, once the copy was written").doesNotExist();
        cache.close();
    }

    private Spool filled(byte[] bytes, boolean verified) {
        Spool spool = Spool.create(dir.resolve("fills"));
        spool.append(bytes, 0, bytes.length);
        if (verified) {
            spool.complete();
        }
        return spool;
    }

    @Test
    void bytesThatDoNotMatchTheirDigestAreNotKept() throws Exception {
        byte[] blob = random(50_000, 2);
        Digest digest = Digest.sha256(blob);
        byte[] corrupt = blob.clone();
        corrupt[100] ^= 1;
        LocalBlobCache cache = new LocalBlobCache(dir, 1_000_000);
        cache.offer(digest, () -> new ByteArrayInputStream(corrupt));
        cache.drain();
        assertThat(cache.file(digest)).isEmpty();
        assertThat(cache.size()).isZero();
        try (var files = Files.list(dir.resolve("tmp"))) {
            assertThat(files).isEmpty();
        }
        cache.close();
    }

    @Test
    void theLeastRecentlyServedCopiesGoFirstWhenFull() throws Exception {
        LocalBlobCache cache = new LocalBlobCache(dir, 1_000_000);
        byte[][] blobs = new byte[5][];
        Digest[] digests = new Digest[5];
        for (int i = 0; i < 4; i++) {
            blobs[i] = random(240_000, 10 + i);
            digests[i] = Digest.sha256(blobs[i]);
            byte[] bytes = blobs[i];
            cache.offer(digests[i], () -> new ByteArrayInputStream(bytes));
            // One at a time, so that each is in before the next.
            Digest offered = digests[i];
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> cache.file(offered).isPresent());
        }
        // Served again: blob 0 becomes the most recent; blob 1 is now the least recently served.
        assertThat(cache.file(digests[0])).isPresent();
        blobs[4] = random(240_000, 20);
        digests[4] = Digest.sha256(blobs[4]);
        cache.offer(digests[4], () -> new ByteArrayInputStream(blobs[4]));
        cache.drain();
        assertThat(cache.file(digests[1])).isEmpty();
        assertThat(cache.file(digests[0])).isPresent();
        assertThat(cache.file(digests[4])).isPresent();
        assertThat(cache.size()).isLessThanOrEqualTo(1_000_000);
        cache.close();
    }

    @Test
    void aBlobLargerThanAQuarterOfTheCacheIsNotKept() throws Exception {
        byte[] blob = random(300_000, 3);
        Digest digest = Digest.sha256(blob);
        LocalBlobCache cache = new LocalBlobCache(dir, 1_000_000);
        cache.offer(digest, () -> new ByteArrayInputStream(blob));
        cache.drain();
        assertThat(cache.file(digest)).isEmpty();
        cache.close();
    }

    /**
     * Storage's bytes, stopped after the first {@code half} until released, so that readers provably
     * join while the copy is part way (an in-memory stand-in for storage: only it can hold the copy
     * mid-way on cue; the S3 tests run the same path against S3Proxy).
     */
    private static final class Gated extends InputStream {
        private final byte[] bytes;
        private final int half;
        private final CountDownLatch halfRead = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final boolean breakOff;
        private int position;

        Gated(byte[] bytes, boolean breakOff) {
            this.bytes = bytes;
            this.half = bytes.length / 2;
            this.breakOff = breakOff;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (position == half) {
                halfRead.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                if (breakOff) {
                    throw new IOException("storage broke off");
                }
            }
            if (position == bytes.length) {
                return -1;
            }
            int limit = position < half ? half : bytes.length;
            int n = Math.min(length, limit - position);
            System.arraycopy(bytes, position, buffer, offset, n);
            position += n;
            return n;
        }
    }

    @Test
    void readersJoiningACopyPartWayGetTheirBytesFromTheOneStorageRead() throws Exception {
        byte[] blob = random(200_000, 4);
        Digest digest = Digest.sha256(blob);
        Gated storage = new Gated(blob, false);
        AtomicInteger opens = new AtomicInteger();
        LocalBlobCache cache = new LocalBlobCache(dir, 1_000_000);
        InputStream first = cache.read(digest, blob.length, 0, () -> {
            opens.incrementAndGet();
            return storage;
        }).orElseThrow();
        assertThat(storage.halfRead.await(10, TimeUnit.SECONDS)).isTrue();
        // Part way: one reader from inside the copied half, one from the half not copied yet.
        InputStream copied = cache.read(digest, blob.length, 100, () -> {
            opens.incrementAndGet();
            return new ByteArrayInputStream(blob);
        }).orElseThrow();
        InputStream ahead = cache.read(digest, blob.length, 150_000, () -> {
            opens.incrementAndGet();
            return new ByteArrayInputStream(blob);
        }).orElseThrow();
        assertThat(cache.file(digest)).isEmpty();
        storage.release.countDown();

        assertThat(first.readAllBytes()).isEqualTo(blob);
        assertThat(copied.readAllBytes()).isEqualTo(Arrays.copyOfRange(blob, 100, blob.length));
        assertThat(ahead.readAllBytes()).isEqualTo(Arrays.copyOfRange(blob, 150_000, blob.length));
        first.close();
        copied.close();
        ahead.close();
        assertThat(opens).hasValue(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> cache.file(digest).isPresent());
        assertThat(cache.file(digest).get()).hasBinaryContent(blob);
        assertThat(cache.read(digest, blob.length, 7, () -> {
            throw new AssertionError("storage read again");
        }).orElseThrow().readAllBytes()).isEqualTo(Arrays.copyOfRange(blob, 7, blob.length));
        cache.drain();
        try (var files = Files.list(dir.resolve("tmp"))) {
            assertThat(files).as("neither the spool file nor a partial copy is left behind").isEmpty();
        }
        cache.close();
    }

    @Test
    void aCopyThatBreaksOffLeavesItsReadersToReadTheRestFromStorage() throws Exception {
        byte[] blob = random(200_000, 5);
        Digest digest = Digest.sha256(blob);
        Gated storage = new Gated(blob, true);
        LocalBlobCache cache = new LocalBlobCache(dir, 1_000_000);
        InputStream tier = cache.read(digest, blob.length, 10, () -> storage).orElseThrow();
        AtomicInteger fallbacks = new AtomicInteger();
        TierStream reader = new TierStream(tier, 10, from -> {
            fallbacks.incrementAndGet();
            return new ByteArrayInputStream(blob, (int) from, blob.length - (int) from);
        });
        byte[] head = reader.readNBytes(50_000);
        assertThat(head).isEqualTo(Arrays.copyOfRange(blob, 10, 50_010));
        storage.release.countDown();
        assertThat(reader.readAllBytes()).isEqualTo(Arrays.copyOfRange(blob, 50_010, blob.length));
        assertThat(fallbacks).hasValue(1);
        cache.drain();
        assertThat(cache.file(digest)).isEmpty();
        cache.close();
    }

    @Test
    void readersOfACopyWhoseBytesDoNotMatchFailInsteadOfCompleting() throws Exception {
        byte[] blob = random(100_000, 6);
        Digest digest = Digest.sha256(blob);
        byte[] corrupt = blob.clone();
        corrupt[500] ^= 1;
        LocalBlobCache cache = new LocalBlobCache(dir, 1_000_000);
        InputStream tier = cache.read(digest, blob.length, 0, () -> new ByteArrayInputStream(corrupt)).orElseThrow();
        TierStream reader = new TierStream(tier, 0, from -> {
            throw new AssertionError("wrong bytes must not be completed from storage");
        });
        assertThatThrownBy(reader::readAllBytes).isInstanceOf(IOException.class)
                .hasCauseInstanceOf(LocalBlobCache.CorruptCopy.class);
        cache.drain();
        assertThat(cache.file(digest)).isEmpty();
        cache.close();
    }

    @Test
    void aBlobLargerThanAQuarterOfTheCacheIsNotTeed() throws Exception {
        byte[] blob = random(300_000, 7);
        LocalBlobCache cache = new LocalBlobCache(dir, 1_000_000);
        assertThat(cache.read(Digest.sha256(blob), blob.length, 0, () -> new ByteArrayInputStream(blob))).isEmpty();
        cache.close();
    }
}
