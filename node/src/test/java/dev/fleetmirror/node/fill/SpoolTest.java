package dev.fleetmirror.node.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void readerGetsBytesAsTheyArriveButTheLastOnlyAfterVerification() throws Exception {
        Spool spool = Spool.create(dir);
        InputStream reader = spool.reader(0);
        spool.append(bytes("abc"), 0, 3);

        byte[] buffer = new byte[10];
        assertThat(reader.read(buffer)).isEqualTo(2);
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.read(buffer, 2, 8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        // Blocked until the blob is verified, however long one watches.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());

        spool.complete();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(new String(buffer, 0, 3, StandardCharsets.US_ASCII)).isEqualTo("abc");
        assertThat(reader.read(buffer)).isEqualTo(-1);
    }

    @Test
    void failureReachesEveryWaitingReader() throws Exception {
        Spool spool = Spool.create(dir);
        spool.append(bytes("xy"), 0, 2);
        InputStream first = spool.reader(0);
        InputStream second = spool.reader(1);
        first.readNBytes(1);

        spool.fail(new IllegalStateException("digest mismatch"));

        assertThatThrownBy(first::read).isInstanceOf(IOException.class).hasMessageContaining("digest mismatch");
        assertThatThrownBy(second::read).isInstanceOf(IOException.class).hasMessageContaining("digest mismatch");
    }

    @Test
    void retiredSpoolFileIsDeletedWhenItsLastReaderCloses() throws Exception {
        Spool spool = Spool.create(dir);
        spool.append(bytes("data"), 0, 4);
        spool.complete();
        InputStream reader = spool.reader(0);

        spool.retire();
        assertThat(Files.exists(spool.file())).isTrue();
        assertThat(reader.readAllBytes()).isEqualTo(bytes("data"));
        reader.close();

        assertThat(Files.exists(spool.file())).isFalse();
        assertThatThrownBy(() -> spool.reader(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void concurrentFollowersOfOneDigestStartOneFill() throws Exception {
        InFlightFills fills = new InFlightFills();
        Digest digest = Digest.sha256(bytes("blob"));
        AtomicInteger starts = new AtomicInteger();
        Fill[] owned = new Fill[1];
        FillStarter starter = d -> {
            starts.incrementAndGet();
            Fill fill = new Fill(d, Spool.create(dir));
            owned[0] = fill;
            fill.started().complete(4L);
            return fill;
        };
        int followers = 8;
        CountDownLatch joined = new CountDownLatch(followers);
        CompletableFuture<?>[] reads = new CompletableFuture<?>[followers];
        for (int i = 0; i < followers; i++) {
            reads[i] = CompletableFuture.supplyAsync(() -> {
                try (InputStream in = fills.follow(digest, 0, starter)) {
                    joined.countDown();
                    return in.readAllBytes();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        assertThat(joined.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(fills.sizeInFlight(digest)).hasValue(4);
        owned[0].spool().append(bytes("blob"), 0, 4);
        owned[0].spool().complete();
        for (CompletableFuture<?> read : reads) {
            assertThat((byte[]) read.get(10, TimeUnit.SECONDS)).isEqualTo(bytes("blob"));
        }
        owned[0].finished().complete(null);

        assertThat(starts).hasValue(1);
        assertThat(fills.inFlight(digest)).isFalse();
    }

    @Test
    void aRefusedFillFailsItsFollowersWithTheSourcesErrorAndIsForgotten() {
        InFlightFills fills = new InFlightFills();
        Digest digest = Digest.sha256(bytes("missing"));
        FillStarter refusing = d -> {
            Fill fill = new Fill(d, Spool.create(dir));
            fill.started().completeExceptionally(new IllegalArgumentException("upstream says 404"));
            fill.finished().complete(null);
            return fill;
        };

        assertThatThrownBy(() -> fills.follow(digest, 0, refusing)).hasMessageContaining("upstream says 404");
        assertThat(fills.inFlight(digest)).isFalse();
    }

    @Test
    void aCompleteSpoolIsCopiedWholeWhileItsReadersGoOnAndTheSpoolFileGoesWhenTheyClose() throws Exception {
        Spool spool = Spool.create(dir.resolve("tmp"));
        // 3 MiB and a bit in network-sized pieces: the copy spans several of its 1 MiB writes and a remainder.
        byte[] content = new byte[3 * 1024 * 1024 + 12_345];
        new java.util.Random(7).nextBytes(content);
        for (int offset = 0; offset < content.length; offset += 16 * 1024) {
            spool.append(content, offset, Math.min(16 * 1024, content.length - offset));
        }
        InputStream reader = spool.reader(1000);
        Path target = dir.resolve("kept");
        assertThatThrownBy(() -> spool.copyTo(target)).isInstanceOf(IllegalStateException.class);
        assertThat(target).doesNotExist();
        spool.complete();

        spool.copyTo(target);
        spool.retire();

        assertThat(target).hasBinaryContent(content);
        assertThat(reader.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 1000, content.length));
        assertThat(spool.file()).exists();
        reader.close();
        assertThat(spool.file()).doesNotExist();
        try (var left = Files.list(dir.resolve("tmp"))) {
            assertThat(left).as("no partial copy is left beside the spool").isEmpty();
        }
    }
}
