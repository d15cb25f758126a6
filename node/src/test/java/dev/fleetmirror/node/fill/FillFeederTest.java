package dev.fleetmirror.node.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.coordination.StandaloneCoordination;
import dev.fleetmirror.coordination.fill.LocalFillLeases;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.registry.stored.StoredRegistry;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.mode.WriteGate;
import dev.fleetmirror.node.proxy.TestImage;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.upstream.Route;
import dev.fleetmirror.node.upstream.UpstreamCaller;
import dev.fleetmirror.node.upstream.UpstreamException;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One fill's way through {@link FillFeeder}'s states, against a real upstream (Debian's
 * docker-registry) and real filesystem storage: a won lease fetches, verifies, stores and releases;
 * bytes that do not hash to the digest fail every reader and store nothing; a blob stored meanwhile
 * ends the fill as already stored; a blob the upstream lacks fails with its status; a lease held
 * for another origin is followed only once our own upstream has the blob.
 */
class FillFeederTest {
    private static final RepositoryName REPO = RepositoryName.of("mirror/team/app");

    @TempDir
    Path work;
    private DistributionProcess upstream;
    private Vertx vertx;
    private StandaloneCoordination coordination;
    private WorkerExecutor spoolWriters;
    private WorkerExecutor storageWriters;
    private Registry storage;
    private Route route;
    private TestImage image;

    @BeforeEach
    void start() {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        upstream = DistributionProcess.start(work.resolve("upstream"), work.resolve("upstream-storage"), true, "");
        image = TestImage.random(31, 300_000);
        image.push(upstream.baseUri(), "team/app", "1");
        vertx = Vertx.vertx();
        coordination = new StandaloneCoordination();
        spoolWriters = vertx.createSharedWorkerExecutor("test-spool", 2);
        storageWriters = vertx.createSharedWorkerExecutor("test-store", 2);
        storage = StoredRegistry.create(new FilesystemDriver(work.resolve("storage")), RegistrySettings.defaults());
        UpstreamCaller caller = new UpstreamCaller(vertx, vertx.getOrCreateContext(), new UpstreamConfig("up",
                upstream.baseUri(), Optional.empty(), Optional.empty(), "mirror/", true), coordination.upstreamTokens(),
                coordination.limits());
        route = new Route(caller, "team/app");
    }

    @AfterEach
    void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (coordination != null) {
            coordination.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private FillLauncher launcher(LocalFillLeases leases, String memberId, Predicate<Digest> dataStored) {
        return new FillLauncher(new FillSources(vertx.getOrCreateContext(), leases, memberId,
                new PeerFillClient(vertx, Optional.empty()), dataStored, storage.uploads(), work.resolve("spool"),
                spoolWriters, storageWriters, Duration.ofSeconds(30), WriteGate.open()));
    }

    private Predicate<Digest> stored() {
        return digest -> storage.blobs().stat(REPO, digest).isPresent();
    }

    @Test
    void aMemberThatWinsTheLeaseFetchesOnceVerifiesStoresAndReleases() throws Exception {
        Files.createDirectories(work.resolve("spool"));
        LocalFillLeases leases = new LocalFillLeases("me", () -> "http://127.0.0.1:1");
        Digest layer = image.blobDigests().get(1);

        Fill fill = launcher(leases, "me", stored()).start(route, REPO, layer);
        try (InputStream in = fill.spool().reader(0)) {
            assertThat(in.readAllBytes()).isEqualTo(image.blob(layer));
        }
        fill.finished().get(30, TimeUnit.SECONDS);

        assertThat(fill.started().get()).isEqualTo(300_000);
        assertThat(storage.blobs().stat(REPO, layer)).as("stored and linked where it was fetched for").isPresent();
        assertThat(leases.holder(layer)).as("the lease is released once stored").isEmpty();
        assertThat(upstreamGets(layer)).isEqualTo(1);
    }

    @Test
    void bytesThatDoNotHashToTheDigestFailEveryReaderAndStoreNothing() throws Exception {
        Files.createDirectories(work.resolve("spool"));
        Digest layer = image.blobDigests().get(1);
        // The upstream's own data file, same size, other bytes: a real registry serving what it holds.
        Path data = work.resolve("upstream-storage/docker/registry/v2/blobs/sha256/" + layer.hex().substring(0, 2) + "/"
                + layer.hex() + "/data");
        byte[] corrupt = Files.readAllBytes(data);
        corrupt[corrupt.length / 2] ^= 0x5a;
        Files.write(data, corrupt);
        LocalFillLeases leases = new LocalFillLeases("me", () -> "http://127.0.0.1:1");

        Fill fill = launcher(leases, "me", stored()).start(route, REPO, layer);
        assertThatThrownBy(() -> {
            try (InputStream in = fill.spool().reader(0)) {
                in.readAllBytes();
            }
        }).hasMessageContaining("hashes to");
        fill.finished().get(30, TimeUnit.SECONDS);

        assertThat(storage.blobs().stat(REPO, layer)).as("nothing unverified is stored").isEmpty();
        assertThat(leases.holder(layer)).isEmpty();
    }

    @Test
    void aBlobStoredMeanwhileEndsTheFillAsAlreadyStored() throws Exception {
        Files.createDirectories(work.resolve("spool"));
        LocalFillLeases leases = new LocalFillLeases("me", () -> "http://127.0.0.1:1");
        Digest layer = image.blobDigests().get(1);

        Fill fill = launcher(leases, "me", digest -> true).start(route, REPO, layer);

        assertThat(cause(fill)).isInstanceOf(AlreadyStored.class);
        fill.finished().get(30, TimeUnit.SECONDS);
        assertThat(upstreamGets(layer)).as("nothing fetched").isZero();
        assertThat(leases.holder(layer)).isEmpty();
    }

    @Test
    void aBlobTheUpstreamLacksIsBlobUnknownAndTheLeaseRemembersItForTheNextFill() throws Exception {
        Files.createDirectories(work.resolve("spool"));
        LocalFillLeases leases = new LocalFillLeases("me", () -> "http://127.0.0.1:1");
        Digest missing = Digest.sha256(new byte[] {1, 2, 3});

        Fill fill = launcher(leases, "me", stored()).start(route, REPO, missing);

        assertThat(cause(fill)).isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UNKNOWN);
            assertThat(e.httpStatus()).isEqualTo(404);
        });
        fill.finished().get(30, TimeUnit.SECONDS);
        assertThat(leases.holder(missing)).isEmpty();
        assertThat(upstreamGets(missing)).isEqualTo(1);

        // A request that looked before the 404 and claims after it learns it from the lease, not from the upstream.
        Fill late = launcher(leases, "me", stored()).start(route, REPO, missing);
        assertThat(cause(late)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UNKNOWN));
        late.finished().get(30, TimeUnit.SECONDS);
        assertThat(upstreamGets(missing)).as("upstream GETs of the missing blob").isEqualTo(1);
    }

    @Test
    void aLeaseHeldForAnotherOriginIsFollowedOnlyOnceOurUpstreamHasTheBlob() throws Exception {
        Files.createDirectories(work.resolve("spool"));
        // Another member fills this digest for another repository (its peer endpoint is never reached).
        LocalFillLeases leases = new LocalFillLeases("other", () -> "http://127.0.0.1:1");
        Digest foreign = Digest.sha256("private bytes of another repository".getBytes());
        leases.claim(foreign, "corp:secret/app");

        Fill fill = launcher(leases, "me", stored()).start(route, REPO, foreign);

        assertThat(cause(fill)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UNKNOWN));
        assertThat(upstreamHeads(foreign)).as("asked our own upstream once").isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> fill.finished().isDone());
    }

    private static Throwable cause(Fill fill) throws InterruptedException {
        try {
            fill.started().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the fill neither started nor failed", e);
        }
        throw new AssertionError("the fill started");
    }

    private int upstreamGets(Digest digest) {
        return count("GET", digest);
    }

    private int upstreamHeads(Digest digest) {
        return count("HEAD", digest);
    }

    private int count(String method, Digest digest) {
        String log = upstream.logText();
        String needle = "\"" + method + " /v2/team/app/blobs/" + digest + " HTTP/1.1\"";
        int count = 0;
        for (int at = log.indexOf(needle); at >= 0; at = log.indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }
}
