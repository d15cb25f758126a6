package dev.fleetmirror.node.localcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import java.io.ByteArrayInputStream;
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
}
