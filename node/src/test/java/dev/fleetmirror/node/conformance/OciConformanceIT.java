package dev.fleetmirror.node.conformance;

import static dev.fleetmirror.node.conformance.ConformanceData.ANNOTATION_KEY;
import static dev.fleetmirror.node.conformance.ConformanceData.ARTIFACT_TYPE_A;
import static dev.fleetmirror.node.conformance.ConformanceData.DUMMY_DIGEST;
import static dev.fleetmirror.node.conformance.ConformanceData.EMPTY_JSON_DIGEST;
import static dev.fleetmirror.node.conformance.ConformanceData.INVALID_MANIFEST;
import static dev.fleetmirror.node.conformance.ConformanceData.NONEXISTENT_REFERENCE;
import static dev.fleetmirror.node.conformance.ConformanceData.OCI_INDEX;
import static dev.fleetmirror.node.conformance.ConformanceData.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.RegistryHttpClient.Response;
import dev.fleetmirror.node.testing.RegistryProcess;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Java port of the OCI distribution-spec conformance suite (the Go suite in
 * opencontainers/distribution-spec, folder {@code conformance/}), run against the packaged node.
 * Each of the suite's four workflows is a nested class, so failsafe's report counts passes per
 * workflow; within a workflow the cases run in the suite's order and share its state (a setup case
 * pushes what later cases read, teardown cases delete it), as in the original.
 *
 * <p>Where the original accepts several answers (because a registry may disable deletes, or may
 * create a blob on a monolithic POST or not), so does this port; where Fleet Mirror's configuration
 * fixes the answer (deletes are enabled, automatic cross-repository mount is on) the port asserts
 * that answer. The suite itself can be checked against CNCF Distribution with
 * {@code -Dfleetmirror.conformance.target=distribution} (no referrers API there, so that workflow
 * fails in its referrers cases).
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class OciConformanceIT {
    private static final String TAG = "tagtest0";
    private static final String EMPTY_LAYER_TAG = "emptylayer";
    private static final Set<String> OCI_ERROR_CODES = Set.of("BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID",
            "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN", "MANIFEST_INVALID",
            "MANIFEST_UNKNOWN", "MANIFEST_UNVERIFIED", "NAME_INVALID", "NAME_UNKNOWN", "SIZE_INVALID",
            "TAG_INVALID", "UNAUTHORIZED", "DENIED", "UNSUPPORTED", "TOOMANYREQUESTS");

    @TempDir
    static Path work;

    static RegistryProcess registry;
    static RegistryHttpClient client;
    static ConformanceData data;
    /**
     * Whether a mount without {@code from} links a known blob (the spec leaves it to the registry):
     * neither Fleet Mirror (it would search repositories the caller may not read) nor Distribution
     * 2.8 does.
     */
    static boolean automaticCrossmount;

    @BeforeAll
    static void startRegistry() {
        String target = System.getProperty("fleetmirror.conformance.target", "node");
        if (target.equals("distribution")) {
            assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
            registry = DistributionProcess.start(work, work.resolve("storage"));
            automaticCrossmount = false;
        } else {
            registry = NodeProcess.start(work);
            automaticCrossmount = false;
        }
        client = new RegistryHttpClient(registry.baseUri());
        data = new ConformanceData(new Random().nextLong());
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
            registry.keepLog(OciConformanceIT.class.getSimpleName());
        }
    }

    // ---------------------------------------------------------------- Pull

    @Nested
    @Order(1)
    class Pull extends SeededWorkflow {
        String tag = "";

        Pull() {
            super("conformance/pull", data.configs.get(0));
        }

        @Test
        @Order(3)
        void setupPushesManifestUnderTag() {
            expect2xx(putManifest(repo, TAG, OCI_MANIFEST, data.manifests.get(0).content()));
        }

        @Test
        @Order(4)
        void setupFindsTheTagInTheTagList() {
            Response tags = listTags(repo);
            tag = tags.json().path("tags").path(0).asText();
            assertThat(tag).as("%s", tags).isEqualTo(TAG);
        }

        @Test
        @Order(5)
        void headOfMissingBlobIs404() {
            expectStatus(send("HEAD", blobPath(repo, DUMMY_DIGEST)), 404);
        }

        @Test
        @Order(6)
        void headOfExistingBlobIs200WithItsDigest() {
            Response head = send("HEAD", blobPath(repo, data.configs.get(0).digest()));
            expectStatus(head, 200);
            head.header("Docker-Content-Digest").ifPresent(digest ->
                    assertThat(digest).as("%s", head).isEqualTo(data.configs.get(0).digest()));
        }

        @Test
        @Order(7)
        void getOfMissingBlobIs404BlobUnknown() {
            Response get = send("GET", blobPath(repo, DUMMY_DIGEST));
            expectStatus(get, 404);
            // The suite's next generation (conformance/*_test.go without ginkgo) also checks the code.
            assertThat(get.errorCodes()).as("%s", get).containsExactly("BLOB_UNKNOWN");
        }

        @Test
        @Order(8)
        void getOfExistingBlobIs200WithItsContent() {
            Response get = send("GET", blobPath(repo, data.configs.get(0).digest()));
            expectStatus(get, 200);
            assertThat(get.body()).as("%s", get).isEqualTo(data.configs.get(0).content());
        }

        @Test
        @Order(9)
        void headOfMissingManifestIs404() {
            expectStatus(send("HEAD", manifestPath(repo, NONEXISTENT_REFERENCE)), 404);
        }

        @Test
        @Order(10)
        void headOfManifestByDigestIs200() {
            String digest = data.manifests.get(0).digest();
            Response head = client.call("HEAD", manifestPath(repo, digest)).header("Accept", OCI_MANIFEST).send();
            expectStatus(head, 200);
            head.header("Docker-Content-Digest").ifPresent(value -> assertThat(value).as("%s", head).isEqualTo(digest));
        }

        @Test
        @Order(11)
        void headOfManifestByTagIs200() {
            assertThat(tag).as("tag found in setup").isNotEmpty();
            Response head = client.call("HEAD", manifestPath(repo, tag)).header("Accept", OCI_MANIFEST).send();
            expectStatus(head, 200);
            head.header("Docker-Content-Digest").ifPresent(value ->
                    assertThat(value).as("%s", head).isEqualTo(data.manifests.get(0).digest()));
        }

        @Test
        @Order(12)
        void getOfMissingManifestIs404() {
            expectStatus(send("GET", manifestPath(repo, NONEXISTENT_REFERENCE)), 404);
        }

        /** From the suite's next generation: a well-formed reference that names nothing is MANIFEST_UNKNOWN. */
        @Test
        @Order(13)
        void getOfUnknownDigestOrTagIs404ManifestUnknown() {
            for (String reference : List.of(DUMMY_DIGEST, "no-such-tag")) {
                Response get = getManifest(repo, reference);
                expectStatus(get, 404);
                assertThat(get.errorCodes()).as("%s", get).containsExactly("MANIFEST_UNKNOWN");
            }
        }

        @Test
        @Order(14)
        void getOfManifestByDigestIs200WithItsBytes() {
            Response get = getManifest(repo, data.manifests.get(0).digest());
            expectStatus(get, 200);
            assertThat(get.body()).as("%s", get).isEqualTo(data.manifests.get(0).content());
            assertThat(get.headerOrEmpty("Content-Type")).as("%s", get).isEqualTo(OCI_MANIFEST);
        }

        @Test
        @Order(15)
        void getOfManifestByTagIs200() {
            assertThat(tag).as("tag found in setup").isNotEmpty();
            Response get = getManifest(repo, tag);
            expectStatus(get, 200);
            assertThat(get.body()).as("%s", get).isEqualTo(data.manifests.get(0).content());
        }

        @Test
        @Order(16)
        void rejectedManifestPutAnswersWithAnOciErrorBody() {
            Response put = client.call("PUT", manifestPath(repo, "sha256:totallywrong"))
                    .header("Content-Type", OCI_MANIFEST).body(INVALID_MANIFEST).send();
            expectStatus(put, 400, 404);
            if (put.status() == 400) {
                assertThat(put.errorCodes()).as("%s", put).isNotEmpty();
                assertThat(OCI_ERROR_CODES).as("%s", put).contains(put.errorCodes().get(0));
            }
        }

        @Test
        @Order(17)
        void teardownDeletesManifest() {
            expectDeleted(send("DELETE", manifestPath(repo, data.manifests.get(0).digest())));
        }

        @Test
        @Order(18)
        void teardownDeletesConfigBlob() {
            expectBlobDeleted(repo, data.configs.get(0).digest());
        }

        @Test
        @Order(19)
        void teardownDeletesLayerBlob() {
            expectBlobDeleted(repo, data.layer.digest());
        }
    }

    // ---------------------------------------------------------------- Push

    @Nested
    @Order(2)
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class Push {
        final String repo = "conformance/push";
        final String crossmountRepo = "conformance/crossmount-" + UUID.randomUUID().toString().substring(0, 8);
        String lastLocation;
        String sessionLocation;
        Response monolithicPost;
        Response mountResponse;
        byte[] chunked = data.blobB.content();
        int split = data.blobBSplit;
        boolean emptyLayerManifestStored;

        @Test
        @Order(1)
        void streamedPatchOfWholeBlobIs202() {
            Response post = startSession(repo);
            Response patch = client.call("PATCH", post.location())
                    .header("Content-Type", "application/octet-stream").body(data.blobA.content()).send();
            expectStatus(patch, 202);
            lastLocation = patch.location();
        }

        @Test
        @Order(2)
        void putToSessionWithDigestClosesStreamedUploadWith201() {
            assertThat(lastLocation).as("session from the streamed PATCH").isNotNull();
            Response put = client.call("PUT", lastLocation).query("digest", data.blobA.digest())
                    .header("Content-Type", "application/octet-stream").send();
            expectStatus(put, 201);
            put.location();
        }

        @Test
        @Order(3)
        void getOfMissingBlobIs404() {
            expectStatus(send("GET", blobPath(repo, DUMMY_DIGEST)), 404);
        }

        @Test
        @Order(4)
        void postWithDigestAndBodyIs201Or202() {
            monolithicPost = client.call("POST", uploadsPath(repo)).query("digest", data.configs.get(1).digest())
                    .header("Content-Type", "application/octet-stream").body(data.configs.get(1).content()).send();
            expectStatus(monolithicPost, 201, 202);
            monolithicPost.location();
        }

        @Test
        @Order(5)
        void blobOfMonolithicPostExistsOnlyIfThePostCreatedIt() {
            assertThat(monolithicPost).as("response of the monolithic POST").isNotNull();
            Response get = send("GET", blobPath(repo, data.configs.get(1).digest()));
            expectStatus(get, monolithicPost.status() == 202 ? 404 : 200);
        }

        @Test
        @Order(6)
        void postWithoutBodyStartsASessionWith202() {
            Response post = startSession(repo);
            sessionLocation = post.location();
        }

        @Test
        @Order(7)
        void putWithBodyAndDigestClosesSessionWith201() {
            Response put = client.call("PUT", sessionLocation).query("digest", data.configs.get(1).digest())
                    .header("Content-Type", "application/octet-stream").body(data.configs.get(1).content()).send();
            expectStatus(put, 201);
            put.location();
        }

        @Test
        @Order(8)
        void getOfUploadedConfigBlobIs200() {
            Response get = send("GET", blobPath(repo, data.configs.get(1).digest()));
            expectStatus(get, 200);
            assertThat(get.body()).as("%s", get).isEqualTo(data.configs.get(1).content());
        }

        @Test
        @Order(9)
        void putOfLayerBlobIs201() {
            Response put = pushBlob(repo, data.layer);
            expectStatus(put, 201);
            put.location();
        }

        @Test
        @Order(10)
        void getOfUploadedLayerIs200() {
            expectStatus(send("GET", blobPath(repo, data.layer.digest())), 200);
        }

        @Test
        @Order(11)
        void outOfOrderChunkIs416() {
            Response post = startSession(repo);
            // A registry may demand bigger chunks: the suite then regrows the blob to fit.
            post.header("OCI-Chunk-Min-Length").map(Integer::parseInt).filter(min -> min > split).ifPresent(min -> {
                chunked = new byte[min * 2 - 2];
                new Random().nextBytes(chunked);
                split = chunked.length / 2 + 1;
            });
            Response patch = patchChunk(post.location(), chunked, split, chunked.length);
            expectStatus(patch, 416);
        }

        @Test
        @Order(12)
        void firstChunkIs202WithItsRange() {
            Response post = startSession(repo);
            sessionLocation = post.location();
            Response patch = patchChunk(sessionLocation, chunked, 0, split);
            expectStatus(patch, 202);
            assertThat(patch.headerOrEmpty("Range")).as("%s", patch).isEqualTo("0-" + (split - 1));
            lastLocation = patch.location();
        }

        @Test
        @Order(13)
        void retriedChunkIs416() {
            Response patch = patchChunk(sessionLocation, chunked, 0, split);
            expectStatus(patch, 416);
        }

        @Test
        @Order(14)
        void statusOfUploadIs204WithRangeAndLocation() {
            Response status = client.call("GET", sessionLocation).send();
            expectStatus(status, 204);
            assertThat(status.headerOrEmpty("Range")).as("%s", status).isEqualTo("0-" + (split - 1));
            lastLocation = status.location();
        }

        @Test
        @Order(15)
        void secondChunkIs202() {
            Response patch = patchChunk(lastLocation, chunked, split, chunked.length);
            expectStatus(patch, 202);
            lastLocation = patch.location();
        }

        @Test
        @Order(16)
        void putWithDigestClosesChunkedUploadWith201() {
            String digest = TestBlob.sha256(chunked);
            Response put = client.call("PUT", lastLocation).query("digest", digest)
                    .header("Content-Type", "application/octet-stream").send();
            expectStatus(put, 201);
            put.location();
            Response get = send("GET", blobPath(repo, digest));
            expectStatus(get, 200);
            assertThat(get.body()).as("%s", get).isEqualTo(chunked);
        }

        @Test
        @Order(17)
        void mountOfUnknownBlobWithoutFromStartsASession() {
            Response post = client.call("POST", uploadsPath(crossmountRepo)).query("mount", DUMMY_DIGEST).send();
            expectStatus(post, 202);
            post.location();
        }

        @Test
        @Order(18)
        void mountFromAnotherRepositoryIs201Or202() {
            mountResponse = client.call("POST", uploadsPath(crossmountRepo))
                    .query("mount", data.blobA.digest()).query("from", repo).send();
            expectStatus(mountResponse, 201, 202);
        }

        @Test
        @Order(19)
        void mountedBlobIsServedFromTheTargetRepository() {
            assumeTrue(mountResponse != null && mountResponse.status() == 201, "the registry did not mount");
            String location = mountResponse.location();
            assertThat(URI.create(location).getPath()).as("%s", mountResponse)
                    .isEqualTo(blobPath(crossmountRepo, data.blobA.digest()));
            expectStatus(client.call("GET", location).send(), 200);
        }

        @Test
        @Order(20)
        void mountThatFellBackToUploadGivesASessionInTheTargetRepository() {
            assumeTrue(mountResponse != null && mountResponse.status() == 202, "the registry mounted");
            assertThat(URI.create(mountResponse.location()).getPath()).as("%s", mountResponse)
                    .startsWith(uploadsPath(crossmountRepo));
        }

        @Test
        @Order(21)
        void mountWithoutFromFollowsTheAutomaticMountSetting() {
            assumeTrue(mountResponse != null && mountResponse.status() == 201, "the registry did not mount");
            Response post = client.call("POST", uploadsPath(crossmountRepo)).query("mount", data.blobA.digest()).send();
            expectStatus(post, automaticCrossmount ? 201 : 202);
        }

        @Test
        @Order(22)
        void getOfManifestNotYetPushedIs404() {
            expectStatus(send("GET", manifestPath(repo, NONEXISTENT_REFERENCE)), 404);
        }

        @Test
        @Order(23)
        void putOfManifestUnderFourTagsIs201() {
            for (int i = 0; i < 4; i++) {
                Response put = putManifest(repo, "test" + i, OCI_MANIFEST, data.manifests.get(1).content());
                expectStatus(put, 201);
                put.location();
            }
        }

        @Test
        @Order(24)
        void manifestWithoutLayersIsAccepted() {
            Response put = putManifest(repo, EMPTY_LAYER_TAG, OCI_MANIFEST, data.emptyLayerManifest.content());
            expectStatus(put, 201);
            put.location();
            emptyLayerManifestStored = true;
        }

        @Test
        @Order(25)
        void getOfPushedManifestByDigestIs200() {
            Response get = getManifest(repo, data.manifests.get(1).digest());
            expectStatus(get, 200);
            assertThat(get.body()).as("%s", get).isEqualTo(data.manifests.get(1).content());
        }

        @Test
        @Order(26)
        void teardownDeletesManifests() {
            expectDeleted(send("DELETE", manifestPath(repo, data.manifests.get(1).digest())));
            if (emptyLayerManifestStored) {
                expectDeleted(send("DELETE", manifestPath(repo, data.emptyLayerManifest.digest())));
            }
        }

        @Test
        @Order(27)
        void teardownDeletesConfigBlob() {
            expectBlobDeleted(repo, data.configs.get(1).digest());
        }

        @Test
        @Order(28)
        void teardownDeletesLayerBlob() {
            expectBlobDeleted(repo, data.layer.digest());
        }

        @Test
        @Order(29)
        void teardownDeletesStreamedAndChunkedBlobs() {
            expectBlobDeleted(repo, data.blobA.digest());
            expectBlobDeleted(repo, TestBlob.sha256(chunked));
        }
    }

    // ---------------------------------------------------------------- Content discovery

    @Nested
    @Order(3)
    class ContentDiscovery extends SeededWorkflow {
        List<String> tagList = List.of();

        ContentDiscovery() {
            super("conformance/discovery", data.configs.get(2));
        }

        @Test
        @Order(3)
        void setupTagsOneManifestFourTimes() {
            for (int i = 0; i < 4; i++) {
                expect2xx(putManifest(repo, "test" + i, OCI_MANIFEST, data.manifests.get(2).content()));
            }
        }

        @Test
        @Order(4)
        void setupPushesReferrersBeforeAndAfterTheirSubject() {
            assertThat(data.emptyJson.digest()).isEqualTo(EMPTY_JSON_DIGEST);
            String subject = data.manifests.get(4).digest();
            expect2xx(pushBlob(repo, data.emptyJson));
            expect2xx(pushBlob(repo, data.refBlobA));
            // Referrers may arrive before their subject: the registry must accept them.
            expectSubject(putManifest(repo, data.refsManifestAConfigArtifact.digest(), OCI_MANIFEST,
                    data.refsManifestAConfigArtifact.content()), subject);
            expectSubject(putManifest(repo, data.refsManifestALayerArtifact.digest(), OCI_MANIFEST,
                    data.refsManifestALayerArtifact.content()), subject);
            expectSubject(putManifest(repo, data.refsIndexArtifact.digest(), OCI_INDEX,
                    data.refsIndexArtifact.content()), subject);

            expect2xx(pushBlob(repo, data.configs.get(4)));
            expect2xx(pushBlob(repo, data.layer));
            expect2xx(putManifest(repo, TAG, OCI_MANIFEST, data.manifests.get(4).content()));

            expect2xx(pushBlob(repo, data.refBlobB));
            expectSubject(putManifest(repo, data.refsManifestBConfigArtifact.digest(), OCI_MANIFEST,
                    data.refsManifestBConfigArtifact.content()), subject);
            expectSubject(putManifest(repo, data.refsManifestBLayerArtifact.digest(), OCI_MANIFEST,
                    data.refsManifestBLayerArtifact.content()), subject);
            expectSubject(putManifest(repo, data.refsManifestCLayerArtifact.digest(), OCI_MANIFEST,
                    data.refsManifestCLayerArtifact.content()), data.manifests.get(3).digest());
        }

        @Test
        @Order(5)
        void tagListIs200() {
            Response list = listTags(repo);
            tagList = tags(list);
            assertThat(tagList).as("%s", list).containsExactly(TAG, "test0", "test1", "test2", "test3");
        }

        @Test
        @Order(6)
        void tagListIsLimitedByN() {
            int n = tagList.size() / 2;
            Response list = client.call("GET", "/v2/" + repo + "/tags/list").query("n", String.valueOf(n)).send();
            expectStatus(list, 200);
            assertThat(tags(list)).as("%s", list).hasSize(n);
        }

        @Test
        @Order(7)
        void tagListStartsAfterLast() {
            int n = tagList.size() / 2;
            Response first = client.call("GET", "/v2/" + repo + "/tags/list").query("n", String.valueOf(n)).send();
            expectStatus(first, 200);
            List<String> firstPage = tags(first);
            assertThat(firstPage).as("%s", first).hasSize(n);
            Response second = client.call("GET", "/v2/" + repo + "/tags/list")
                    .query("n", String.valueOf(n)).query("last", firstPage.get(n - 1)).send();
            expectStatus(second, 200);
            assertThat(tags(second)).as("%s", second).isEqualTo(tagList.subList(n, 2 * n));
        }

        /** Not in the Go suite: the issue asks for a Link header on a page that was cut short. */
        @Test
        @Order(8)
        void tagListPageCutShortLinksToTheNextPage() {
            Response first = client.call("GET", "/v2/" + repo + "/tags/list").query("n", "2").send();
            expectStatus(first, 200);
            String link = first.headerOrEmpty("Link");
            assertThat(link).as("%s", first).contains("rel=\"next\"").contains("last=" + tags(first).get(1));
            String next = link.substring(link.indexOf('<') + 1, link.indexOf('>'));
            Response second = client.call("GET", next).send();
            expectStatus(second, 200);
            assertThat(tags(second)).as("%s", second).isEqualTo(tagList.subList(2, 4));
        }

        @Test
        @Order(9)
        void referrersOfUnknownDigestIsAnEmptyIndex() {
            Response referrers = listReferrers(client.call("GET", referrersPath(repo, DUMMY_DIGEST)));
            assertThat(referrers.json().path("manifests").size()).as("%s", referrers).isZero();
        }

        @Test
        @Order(10)
        void referrersOfSubjectListEveryArtifactWithItsAnnotations() {
            Response referrers = listReferrers(client.call("GET", referrersPath(repo, data.manifests.get(4).digest())));
            JsonNode manifests = referrers.json().path("manifests");
            assertThat(manifests.size()).as("%s", referrers).isEqualTo(5);
            expectAnnotations(referrers, manifests);
        }

        @Test
        @Order(11)
        void referrersFilteredByArtifactType() {
            Response referrers = listReferrers(client.call("GET", referrersPath(repo, data.manifests.get(4).digest()))
                    .query("artifactType", ARTIFACT_TYPE_A));
            JsonNode manifests = referrers.json().path("manifests");
            if (referrers.header("OCI-Filters-Applied").isPresent()) {
                assertThat(referrers.headerOrEmpty("OCI-Filters-Applied")).as("%s", referrers).isEqualTo("artifactType");
                assertThat(manifests.size()).as("%s", referrers).isEqualTo(2);
                manifests.forEach(m -> assertThat(m.path("artifactType").asText()).as("%s", referrers).isEqualTo(ARTIFACT_TYPE_A));
            } else {
                assertThat(manifests.size()).as("%s", referrers).isEqualTo(5);
            }
            expectAnnotations(referrers, manifests);
        }

        @Test
        @Order(12)
        void referrersOfMissingSubjectListTheArtifactPointingAtIt() {
            Response referrers = listReferrers(client.call("GET", referrersPath(repo, data.manifests.get(3).digest())));
            JsonNode manifests = referrers.json().path("manifests");
            assertThat(manifests.size()).as("%s", referrers).isEqualTo(1);
            assertThat(manifests.path(0).path("digest").asText()).as("%s", referrers)
                    .isEqualTo(data.refsManifestCLayerArtifact.digest());
        }

        @Test
        @Order(13)
        void teardownDeletesManifestsAndTags() {
            List<String> references = List.of(data.refsIndexArtifact.digest(), data.manifests.get(2).digest(),
                    data.manifests.get(4).digest(), data.refsManifestAConfigArtifact.digest(),
                    data.refsManifestALayerArtifact.digest(), TAG, data.refsManifestBConfigArtifact.digest(),
                    data.refsManifestBLayerArtifact.digest(), data.refsManifestCLayerArtifact.digest());
            for (String reference : references) {
                expectStatus(send("DELETE", manifestPath(repo, reference)), 202, 200, 204, 404, 405);
            }
        }

        @Test
        @Order(14)
        void teardownDeletesConfigBlob() {
            expectBlobDeleted(repo, data.configs.get(2).digest());
        }

        @Test
        @Order(15)
        void teardownDeletesLayerBlob() {
            expectBlobDeleted(repo, data.layer.digest());
        }

        @Test
        @Order(16)
        void teardownDeletesReferrerBlobs() {
            for (String digest : List.of(data.configs.get(4).digest(), data.refBlobA.digest(), data.refBlobB.digest(),
                    data.emptyJson.digest())) {
                expectStatus(send("DELETE", blobPath(repo, digest)), 202, 200, 204, 404, 405);
            }
        }

        private void expectSubject(Response put, String subject) {
            expect2xx(put);
            assertThat(put.headerOrEmpty("OCI-Subject")).as("%s", put).isEqualTo(subject);
        }

        private void expectAnnotations(Response referrers, JsonNode manifests) {
            manifests.forEach(descriptor -> {
                assertThat(descriptor.path("annotations").size()).as("%s", referrers).isEqualTo(1);
                assertThat(descriptor.path("annotations").path(ANNOTATION_KEY).asText()).as("%s", referrers)
                        .isEqualTo(data.annotations.get(descriptor.path("digest").asText()));
            });
            List<String> digests = new ArrayList<>();
            manifests.forEach(descriptor -> digests.add(descriptor.path("digest").asText()));
            assertThat(digests).as("%s", referrers).doesNotHaveDuplicates();
        }
    }

    // ---------------------------------------------------------------- Content management

    @Nested
    @Order(4)
    class ContentManagement extends SeededWorkflow {
        int numTags;
        Response manifestDelete;
        boolean blobDeleteAllowed = true;

        ContentManagement() {
            super("conformance/management", data.configs.get(3));
        }

        @Test
        @Order(3)
        void setupTagsManifest() {
            expect2xx(putManifest(repo, TAG, OCI_MANIFEST, data.manifests.get(3).content()));
        }

        @Test
        @Order(4)
        void setupCountsTagsBeforeDeleting() {
            Response list = listTags(repo);
            numTags = tags(list).size();
            assertThat(tags(list)).as("%s", list).contains(TAG);
        }

        @Test
        @Order(5)
        void deleteOfTagIs202OrUnsupported() {
            Response delete = send("DELETE", manifestPath(repo, TAG));
            expectStatus(delete, 202, 400, 405);
            if (delete.status() == 400) {
                assertThat(delete.errorCodes()).as("%s", delete).first().isEqualTo("UNSUPPORTED");
            }
        }

        @Test
        @Order(6)
        void deleteOfManifestByDigestIs202UnlessAlreadyGone() {
            manifestDelete = send("DELETE", manifestPath(repo, data.manifests.get(3).digest()));
            expectStatus(manifestDelete, 202, 404);
        }

        /** The suite also accepts 200 for registries that refuse deletes; this node allows them. */
        @Test
        @Order(7)
        void getOfDeletedManifestIs404() {
            expectStatus(send("GET", manifestPath(repo, data.manifests.get(3).digest())), 404);
        }

        @Test
        @Order(8)
        void tagListReflectsTheDeletion() {
            Response list = listTags(repo);
            assertThat(tags(list)).as("%s", list).hasSizeLessThan(numTags).doesNotContain(TAG);
        }

        @Test
        @Order(9)
        void deleteOfBlobsIs202() {
            Response config = send("DELETE", blobPath(repo, data.configs.get(3).digest()));
            expectStatus(config, 202, 404, 405);
            Response layer = send("DELETE", blobPath(repo, data.layer.digest()));
            expectStatus(layer, 202, 404, 405);
            blobDeleteAllowed = layer.status() != 405;
        }

        @Test
        @Order(10)
        void getOfDeletedBlobIs404() {
            assumeTrue(blobDeleteAllowed, "the registry refuses blob deletes");
            expectStatus(send("GET", blobPath(repo, data.configs.get(3).digest())), 404);
        }
    }

    // ---------------------------------------------------------------- shared steps

    /** The setup steps the reading workflows open with: their own config blob, then the shared layer. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    abstract class SeededWorkflow {
        final String repo;
        final TestBlob config;

        SeededWorkflow(String repo, TestBlob config) {
            this.repo = repo;
            this.config = config;
        }

        @Test
        @Order(1)
        void setupPushesConfigBlob() {
            expect2xx(pushBlob(repo, config));
        }

        @Test
        @Order(2)
        void setupPushesLayerBlob() {
            expect2xx(pushBlob(repo, data.layer));
        }
    }

    static String blobPath(String repo, String digest) {
        return "/v2/" + repo + "/blobs/" + digest;
    }

    static String manifestPath(String repo, String reference) {
        return "/v2/" + repo + "/manifests/" + reference;
    }

    static String uploadsPath(String repo) {
        return "/v2/" + repo + "/blobs/uploads/";
    }

    static String referrersPath(String repo, String digest) {
        return "/v2/" + repo + "/referrers/" + digest;
    }

    /** POST to open a session, then PUT the whole blob with its digest: the suite's way to seed content. */
    static Response pushBlob(String repo, byte[] content, String digest) {
        Response post = startSession(repo);
        return client.call("PUT", post.location()).query("digest", digest)
                .header("Content-Type", "application/octet-stream").body(content).send();
    }

    static Response putManifest(String repo, String reference, String mediaType, byte[] content) {
        return client.call("PUT", manifestPath(repo, reference)).header("Content-Type", mediaType).body(content).send();
    }

    static Response send(String method, String path) {
        return client.call(method, path).send();
    }

    static Response pushBlob(String repo, TestBlob blob) {
        return pushBlob(repo, blob.content(), blob.digest());
    }

    static Response startSession(String repo) {
        Response post = send("POST", uploadsPath(repo));
        expectStatus(post, 202);
        return post;
    }

    /** PATCH bytes [from, to) of a blob with their Content-Range. */
    static Response patchChunk(String location, byte[] blob, int from, int to) {
        return client.call("PATCH", location)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", from + "-" + (to - 1))
                .body(Arrays.copyOfRange(blob, from, to)).send();
    }

    static Response getManifest(String repo, String reference) {
        return client.call("GET", manifestPath(repo, reference)).header("Accept", OCI_MANIFEST).send();
    }

    static Response listTags(String repo) {
        Response list = send("GET", "/v2/" + repo + "/tags/list");
        expectStatus(list, 200);
        return list;
    }

    /** Sends a referrers request and checks it answered with an image index. */
    static Response listReferrers(RegistryHttpClient.Call request) {
        Response referrers = request.send();
        expectStatus(referrers, 200);
        assertThat(referrers.headerOrEmpty("Content-Type")).as("%s", referrers).isEqualTo(OCI_INDEX);
        return referrers;
    }

    static void expectBlobDeleted(String repo, String digest) {
        expectDeleted(send("DELETE", blobPath(repo, digest)));
    }

    static List<String> tags(Response list) {
        List<String> tags = new ArrayList<>();
        list.json().path("tags").forEach(tag -> tags.add(tag.asText()));
        return tags;
    }

    static void expectStatus(Response response, int... allowed) {
        assertThat(IntStream.of(allowed).boxed().toList()).as("status of %s", response).contains(response.status());
    }

    static void expect2xx(Response response) {
        assertThat(response.status()).as("status of %s", response).isBetween(200, 299);
    }

    /** Teardown in the suite accepts any success, or 405 from registries that refuse deletes. */
    static void expectDeleted(Response response) {
        assertThat(response.status() == 405 || (response.status() >= 200 && response.status() < 300))
                .as("status of %s", response).isTrue();
    }
}
